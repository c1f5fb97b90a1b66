"""The definition models keep published text frozen and labels, keys and drafts in order."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from definition.models import Clause, ClauseText, FrozenVersionError, Version, validate_label
from docket import markdown
from tests.conftest import make_definition


@pytest.fixture
def published(db):
    """The only version of a definition, published."""
    return make_definition().versions.get()


@pytest.fixture
def draft(db):
    """The only version of a definition, still a draft."""
    return make_definition(publish=False).versions.get()


def scope_text(version) -> ClauseText:
    return version.clause_texts.get(clause__key="scope")


# Published text is frozen.


def test_it_refuses_to_save_a_changed_clause_text_of_a_published_version(published):
    text = scope_text(published)
    text.body = "Something else."
    with pytest.raises(FrozenVersionError):
        text.save()
    assert scope_text(published).body == "What this covers."


def test_it_refuses_to_delete_a_clause_text_of_a_published_version(published):
    with pytest.raises(FrozenVersionError):
        scope_text(published).delete()
    assert published.clause_texts.count() == 2


def test_it_refuses_to_add_a_clause_text_to_a_published_version(published):
    clause = Clause.objects.create(definition=published.definition, key="extra")
    with pytest.raises(FrozenVersionError):
        ClauseText.objects.create(version=published, clause=clause, position=9, heading="Extra")
    assert published.clause_texts.count() == 2


def test_it_refuses_to_move_a_clause_text_out_of_a_published_version(published):
    later = make_definition(slug="other", publish=False).versions.get()
    text = scope_text(published)
    text.version = later
    with pytest.raises(FrozenVersionError):
        text.save()
    assert published.clause_texts.count() == 2


def test_it_refuses_a_queryset_update_of_published_clause_texts(published):
    with pytest.raises(FrozenVersionError):
        ClauseText.objects.filter(version=published).update(body="Rewritten.")
    assert set(published.clause_texts.values_list("body", flat=True)) == {
        "What this covers.",
        "Words we use.",
    }


def test_it_refuses_a_queryset_delete_of_published_clause_texts(published):
    with pytest.raises(FrozenVersionError):
        ClauseText.objects.filter(version=published).delete()
    assert published.clause_texts.count() == 2


def test_draft_text_can_change(draft):
    text = scope_text(draft)
    text.body = "Covers more now."
    text.save()
    ClauseText.objects.filter(version=draft, clause__key="terms").update(heading="Words")
    assert scope_text(draft).body == "Covers more now."
    assert draft.clause_texts.get(clause__key="terms").heading == "Words"


def test_draft_text_can_be_deleted(draft):
    scope_text(draft).delete()
    ClauseText.objects.filter(version=draft).delete()
    assert draft.clause_texts.count() == 0


def test_publishing_freezes_text_that_was_editable_as_a_draft(draft):
    draft.publish()
    text = scope_text(draft)
    text.heading = "Range"
    with pytest.raises(FrozenVersionError):
        text.save()


# Published versions stay published.


def test_it_refuses_to_delete_a_published_version(published):
    with pytest.raises(FrozenVersionError):
        published.delete()
    assert Version.objects.filter(pk=published.pk).exists()


def test_a_draft_version_can_be_deleted(draft):
    draft.delete()
    assert not Version.objects.filter(pk=draft.pk).exists()


def test_it_refuses_to_turn_a_published_version_back_into_a_draft(published):
    published.status = Version.Status.DRAFT
    with pytest.raises(FrozenVersionError):
        published.save()
    published.refresh_from_db()
    assert published.is_published


def test_it_refuses_to_delete_a_published_version_through_a_queryset(published):
    with pytest.raises(FrozenVersionError):
        Version.objects.filter(pk=published.pk).delete()


def test_it_refuses_to_turn_a_published_version_back_into_a_draft_through_a_queryset(published):
    with pytest.raises(FrozenVersionError):
        Version.objects.filter(pk=published.pk).update(status=Version.Status.DRAFT)


def test_publishing_twice_is_refused(draft):
    draft.publish()
    first_published_at = Version.objects.get(pk=draft.pk).published_at
    with pytest.raises(FrozenVersionError):
        draft.publish()
    assert Version.objects.get(pk=draft.pk).published_at == first_published_at


def test_publishing_a_stale_copy_of_a_published_version_is_refused(draft):
    stale = Version.objects.get(pk=draft.pk)
    draft.publish()
    with pytest.raises(FrozenVersionError):
        stale.publish()


def test_publish_records_when_and_by_whom(draft, steward):
    draft.publish(by=steward)
    draft.refresh_from_db()
    assert draft.is_published
    assert draft.published_at is not None
    assert draft.published_by == steward


# Clause keys.


def test_it_refuses_to_change_the_key_of_a_published_clause(published):
    clause = Clause.objects.get(definition=published.definition, key="scope")
    clause.key = "range"
    with pytest.raises(FrozenVersionError):
        clause.save()
    assert Clause.objects.filter(definition=published.definition, key="scope").exists()


def test_the_key_of_a_clause_only_in_a_draft_can_change(draft):
    clause = Clause.objects.get(definition=draft.definition, key="scope")
    clause.key = "range"
    clause.save()
    assert draft.clause_texts.get(clause__key="range").heading == "Scope"


def test_a_published_clause_can_be_saved_with_its_key_unchanged(published):
    clause = Clause.objects.get(definition=published.definition, key="scope")
    clause.save()
    assert Clause.objects.get(pk=clause.pk).key == "scope"


# Version labels.


@pytest.mark.parametrize("label", ["0.0.9", "1.0-RC1", "1", "2024-draft", "0.0.7.1"])
def test_it_accepts_a_well_formed_label(label):
    validate_label(label)


@pytest.mark.parametrize(
    "label",
    ["latest", "LATEST", "Compare", "draft", "Draft", "history", "api", "search", "changes", "feed"],
)
def test_it_rejects_a_reserved_word_as_a_label_in_any_case(label):
    with pytest.raises(ValidationError) as caught:
        validate_label(label)
    assert caught.value.code == "reserved"


@pytest.mark.parametrize("label", ["1..2", ".1", "1.", "a b", "1...2", "", "1/2", "1_0"])
def test_it_rejects_a_malformed_label(label):
    with pytest.raises(ValidationError) as caught:
        validate_label(label)
    assert caught.value.code == "malformed"


def test_full_clean_of_a_version_checks_its_label(published):
    version = Version(definition=published.definition, label="compare", sequence=2)
    with pytest.raises(ValidationError) as caught:
        version.full_clean()
    assert "label" in caught.value.message_dict


# One draft at a time.


def test_a_definition_cannot_have_two_drafts(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Version.objects.create(definition=draft.definition, label="2.0", sequence=2)
    assert draft.definition.versions.drafts().count() == 1


def test_a_new_draft_may_follow_a_published_version(published):
    Version.objects.create(definition=published.definition, label="2.0", sequence=2)
    assert published.definition.versions.drafts().count() == 1


# Markdown is rendered once, sanitised, when saved.


def test_body_html_is_rendered_and_stored_when_the_text_is_saved(draft):
    text = scope_text(draft)
    text.body = "Covers *gardens*."
    text.save()
    stored = ClauseText.objects.filter(pk=text.pk).values_list("body_html", flat=True).get()
    assert stored == "<p>Covers <em>gardens</em>.</p>\n"


def test_reading_a_clause_text_does_not_render_its_markdown_again(draft, monkeypatch):
    text = scope_text(draft)
    text.body = "Covers **orchards**."
    text.save()

    def refuse(_text):
        raise AssertionError("Markdown rendered on read")

    monkeypatch.setattr(markdown, "render", refuse)
    assert "<strong>orchards</strong>" in ClauseText.objects.get(pk=text.pk).body_html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "Text <script>alert(1)</script> inline.",
        "[click](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
    ],
)
def test_body_html_never_carries_script(draft, body):
    text = scope_text(draft)
    text.body = body
    text.save()
    html = ClauseText.objects.get(pk=text.pk).body_html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html


def test_release_notes_are_rendered_sanitised_when_saved(draft):
    draft.release_notes = "Fixed *typos*. <script>alert(1)</script>"
    draft.save()
    html = Version.objects.get(pk=draft.pk).release_notes_html
    assert "<em>typos</em>" in html
    assert "<script" not in html


# The database refuses too (PostgreSQL).

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the frozen-text trigger exists on PostgreSQL only"
)


@postgresql_only
def test_the_database_refuses_a_raw_update_of_published_text(published):
    text = scope_text(published)
    with (
        pytest.raises(DatabaseError, match="published version cannot change"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE definition_clausetext SET body = %s WHERE id = %s", ["Changed.", text.pk])
    assert scope_text(published).body == "What this covers."


@postgresql_only
def test_the_database_refuses_a_raw_delete_of_published_text(published):
    with (
        pytest.raises(DatabaseError, match="published version cannot change"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM definition_clausetext WHERE version_id = %s", [published.pk])
    assert published.clause_texts.count() == 2


@postgresql_only
def test_the_database_allows_a_raw_update_of_draft_text(draft):
    text = scope_text(draft)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE definition_clausetext SET body = %s WHERE id = %s", ["Changed.", text.pk])
    assert scope_text(draft).body == "Changed."


# What a reader sees of a clause is stored with it: HTML and words, made once at save.


def test_a_clause_texts_words_are_stored_with_its_html(draft):
    text = scope_text(draft)
    text.body = "It covers *gardens*,\nand\n\n- orchards\n- [parks](https://example.org/)"
    text.save()
    text.refresh_from_db()
    assert text.body_words == markdown.plain_text(text.body_html)
    assert text.body_words == "It covers gardens, and\n• orchards\n• parks"


def test_a_new_draft_starts_with_the_published_words(published):
    from definition.drafting import start_draft
    from tests.conftest import make_user

    new = start_draft(definition=published.definition, label="2.0", by=make_user(groups=["Stewards"]))
    for before, after in zip(
        published.clause_texts.order_by("position"), new.clause_texts.order_by("position"), strict=True
    ):
        assert after.body_words == before.body_words != ""
