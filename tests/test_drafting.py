"""The drafting operations stewards use, one transaction each, each recorded."""

import pytest

from definition import drafting
from definition.models import Clause, ClauseText, StewardAction, Version
from tests.conftest import document, make_definition


@pytest.fixture
def charter(demo_definition):
    return demo_definition


@pytest.fixture
def draft(charter, steward):
    return drafting.start_draft(definition=charter, label="1.1", by=steward)


def keys(version):
    return list(version.clause_texts.order_by("position").values_list("clause__key", flat=True))


def test_a_new_draft_copies_every_clause_of_the_latest_version(charter, draft):
    latest = charter.versions.get(label="1.0")
    assert draft.status == Version.Status.DRAFT
    assert keys(draft) == keys(latest)
    copied = draft.clause_texts.get(clause__key="scope")
    original = latest.clause_texts.get(clause__key="scope")
    assert (copied.heading, copied.body, copied.body_html, copied.number) == (
        original.heading,
        original.body,
        original.body_html,
        original.number,
    )


def test_only_one_draft_per_definition(charter, draft, steward):
    with pytest.raises(drafting.DraftError, match="already has a draft"):
        drafting.start_draft(definition=charter, label="1.2", by=steward)


@pytest.mark.parametrize("label", ["1.0", "latest", "bad label", "1..2"])
def test_a_draft_needs_a_new_well_formed_label(charter, steward, label):
    with pytest.raises(drafting.DraftError) as error:
        drafting.start_draft(definition=charter, label=label, by=steward)
    assert error.value.field == "label"
    assert not charter.versions.drafts().exists()


def test_editing_a_clause_renders_it_and_bumps_its_revision(draft, steward):
    text = drafting.edit_clause(
        draft=draft, key="scope", expected_revision=1, heading="Scope", level=2,
        body="Covers **all** gardens.", new_key="scope", by=steward,
    )  # fmt: skip
    assert text.revision == 2
    assert "<strong>all</strong>" in text.body_html
    # The published version is untouched.
    assert "orchards" in ClauseText.objects.get(version__label="1.0", clause__key="scope").body


def test_a_stale_edit_is_refused_with_the_current_text(draft, steward):
    first = dict(draft=draft, key="scope", heading="Scope", level=2, new_key="scope", by=steward)
    drafting.edit_clause(expected_revision=1, body="First steward's words.", **first)
    with pytest.raises(drafting.EditConflict) as conflict:
        drafting.edit_clause(expected_revision=1, body="Second steward's words.", **first)
    assert conflict.value.current.body == "First steward's words."
    assert ClauseText.objects.get(version=draft, clause__key="scope").body == "First steward's words."


def test_a_published_clause_keeps_its_key(draft, steward):
    with pytest.raises(drafting.DraftError) as error:
        drafting.edit_clause(
            draft=draft, key="scope", expected_revision=1, heading="Scope", level=2, body="x",
            new_key="range", by=steward,
        )  # fmt: skip
    assert error.value.field == "key"
    assert Clause.objects.filter(key="scope").exists()


def test_a_clause_new_in_the_draft_can_change_its_key(draft, steward):
    drafting.add_clause(draft=draft, key="tools", heading="Tools", level=2, body="", position=9, by=steward)
    drafting.edit_clause(
        draft=draft, key="tools", expected_revision=1, heading="Tools", level=2, body="", new_key="equipment",
        by=steward,
    )  # fmt: skip
    assert "equipment" in keys(draft) and "tools" not in keys(draft)


def test_adding_a_clause_puts_it_in_place_and_renumbers(draft, steward):
    drafting.add_clause(
        draft=draft, key="budget", heading="Budget", level=2, body="Money.", position=1, by=steward
    )
    assert keys(draft) == ["scope", "budget", "members", "meetings"]
    numbers = list(draft.clause_texts.order_by("position").values_list("number", flat=True))
    assert numbers == ["1", "2", "3", "4"]


def test_adding_a_removed_clauses_key_brings_that_clause_back(draft, steward):
    fees = Clause.objects.get(key="fees")
    drafting.add_clause(
        draft=draft, key="fees", heading="Fees", level=2, body="No fees.", position=3, by=steward
    )
    assert draft.clause_texts.get(clause__key="fees").clause == fees


def test_a_key_already_in_the_draft_is_refused(draft, steward):
    with pytest.raises(drafting.DraftError, match="already has a clause"):
        drafting.add_clause(
            draft=draft, key="scope", heading="Again", level=2, body="", position=0, by=steward
        )


def test_removing_and_moving_clauses(draft, steward):
    drafting.move_clause(draft=draft, key="meetings", to_position=0, by=steward)
    assert keys(draft) == ["meetings", "scope", "members"]
    drafting.remove_clause(draft=draft, key="scope", by=steward)
    assert keys(draft) == ["meetings", "members"]
    assert list(draft.clause_texts.order_by("position").values_list("position", "number")) == [
        (0, "1"),
        (1, "2"),
    ]
    # The published versions still have it.
    assert ClauseText.objects.filter(version__label="1.0", clause__key="scope").exists()


def test_a_clause_added_and_removed_in_the_draft_leaves_no_trace(draft, steward):
    drafting.add_clause(draft=draft, key="temp", heading="Temp", level=2, body="", position=0, by=steward)
    drafting.remove_clause(draft=draft, key="temp", by=steward)
    assert not Clause.objects.filter(key="temp").exists()


def test_a_level_change_renumbers_the_outline(draft, steward):
    drafting.edit_clause(
        draft=draft, key="members", expected_revision=1, heading="Membership", level=3, body="Anyone may join.",
        new_key="members", by=steward,
    )  # fmt: skip
    numbers = list(draft.clause_texts.order_by("position").values_list("number", flat=True))
    assert numbers == ["1", "1.1", "2"]


def test_discarding_a_draft_removes_it_and_its_new_clauses(charter, draft, steward):
    drafting.add_clause(draft=draft, key="temp", heading="Temp", level=2, body="", position=0, by=steward)
    drafting.discard_draft(draft=draft, by=steward)
    assert not charter.versions.drafts().exists()
    assert not Clause.objects.filter(key="temp").exists()
    assert Clause.objects.filter(key="scope").exists()


def test_publishing_freezes_the_draft_and_closes_the_previous_period(charter, draft, steward):
    version = drafting.publish_draft(
        draft=draft, by=steward, release_notes="*Better*", comments_close_at=None, close_previous=True
    )
    assert version.is_published and version.published_by == steward
    assert version.release_notes_html == "<p><em>Better</em></p>\n"
    previous = charter.versions.get(label="1.0")
    assert not previous.comments_open
    with pytest.raises(drafting.DraftError):
        drafting.publish_draft(
            draft=draft, by=steward, release_notes="", comments_close_at=None, close_previous=True
        )


def test_publishing_can_leave_the_previous_period_open(charter, draft, steward):
    drafting.publish_draft(
        draft=draft, by=steward, release_notes="", comments_close_at=None, close_previous=False
    )
    assert charter.versions.get(label="1.0").comments_open


def test_an_empty_draft_cannot_be_published(db, steward):
    definition = make_definition(slug="empty", versions={"0.1": [("a", "A", "x")]}, publish=False)
    draft = definition.versions.get()
    draft.clause_texts.all().delete()
    with pytest.raises(drafting.DraftError, match="no clauses"):
        drafting.publish_draft(
            draft=draft, by=steward, release_notes="", comments_close_at=None, close_previous=True
        )


def test_every_action_is_recorded_with_who(charter, draft, steward):
    drafting.add_clause(draft=draft, key="tools", heading="Tools", level=2, body="", position=0, by=steward)
    drafting.move_clause(draft=draft, key="tools", to_position=2, by=steward)
    drafting.remove_clause(draft=draft, key="tools", by=steward)
    drafting.renumber(draft=draft, by=steward)
    drafting.publish_draft(
        draft=draft, by=steward, release_notes="", comments_close_at=None, close_previous=True
    )
    kinds = list(StewardAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        "start-draft", "add-clause", "move-clause", "remove-clause", "renumber", "publish", "close-comments",
    ]  # fmt: skip
    assert set(StewardAction.objects.values_list("actor", flat=True)) == {steward.pk}


def test_an_accepted_import_follows_the_stewards_mapping(charter, draft, steward):
    from definition.models import DraftImport

    text = document(
        "The Test Charter",
        [
            ("scope", "Scope", "Covers gardens."),
            ("people", "People", "Anyone may join."),  # the steward says: this is "members" renamed
            ("harvest", "Harvest", "Share the harvest."),
        ],
    )
    pending = DraftImport.objects.create(version=draft, uploaded_by=steward, filename="d.md", text=text)
    document_, rows = drafting.propose_import(draft=draft, text=text)
    proposed = {row.key: row.status for row in rows}
    assert proposed["people"] == "new" and proposed["members"] == "removed"

    drafting.accept_import(draft_import=pending, choices=["scope", "members", ""], by=steward)
    assert keys(draft) == ["scope", "members", "harvest"]
    assert draft.clause_texts.get(clause__key="members").heading == "People"
    assert not Clause.objects.filter(key="people").exists()
    with pytest.raises(drafting.DraftError, match="already been applied"):
        drafting.accept_import(draft_import=pending, choices=["scope", "members", ""], by=steward)


def test_an_import_mapping_cannot_use_a_clause_twice(charter, draft, steward):
    from definition.models import DraftImport

    text = document("T", [("a", "A", "x"), ("b", "B", "y")])
    pending = DraftImport.objects.create(version=draft, uploaded_by=steward, filename="d.md", text=text)
    before = keys(draft)
    with pytest.raises(drafting.DraftError, match="chosen twice"):
        drafting.accept_import(draft_import=pending, choices=["scope", "scope"], by=steward)
    assert keys(draft) == before
