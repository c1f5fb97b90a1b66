"""The Django admin: open to superusers, closed to everyone else, and never a way round frozen text."""

import pytest
from django.urls import reverse

from definition.models import Clause, ClauseText, Definition, StewardAction, Version

from .conftest import client_for, make_definition

MODELS = ["definition", "version", "clause", "clausetext"]


@pytest.fixture
def published(db):
    """A definition with one published version of two clauses, and a draft on top of it."""
    definition = make_definition(
        slug="charter",
        versions={"1.0": [("scope", "Scope", "What this covers."), ("terms", "Terms", "Words we use.")]},
    )
    make_definition(
        slug="charter",
        versions={"1.1": [("scope", "Scope", "What this charter covers."), ("terms", "Terms", "Words.")]},
        publish=False,
    )
    return definition


def admin_url(model: str, action: str, *args) -> str:
    return reverse(f"admin:definition_{model}_{action}", args=args)


def published_text() -> ClauseText:
    return ClauseText.objects.select_related("clause").get(
        version__label="1.0", version__status=Version.Status.PUBLISHED, clause__key="scope"
    )


def draft_text() -> ClauseText:
    return ClauseText.objects.get(version__label="1.1", clause__key="scope")


def clause_text_form(text: ClauseText, **changes) -> dict:
    data = {
        "version": text.version_id,
        "clause": text.clause_id,
        "position": text.position,
        "number": text.number,
        "heading": text.heading,
        "level": text.level,
        "body": text.body,
    }
    return data | changes


# Who gets in


@pytest.mark.parametrize("model", MODELS)
def test_a_superuser_sees_the_changelist(superuser, published, model):
    response = client_for(superuser).get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_a_superuser_sees_the_add_page(superuser, published, model):
    response = client_for(superuser).get(admin_url(model, "add"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "instance"),
    [
        ("definition", lambda: Definition.objects.get(slug="charter")),
        ("version", lambda: Version.objects.get(label="1.0")),
        ("version", lambda: Version.objects.get(label="1.1")),
        ("clause", lambda: Clause.objects.get(key="scope")),
        ("clausetext", published_text),
        ("clausetext", draft_text),
    ],
)
def test_a_superuser_sees_the_change_page(superuser, published, model, instance):
    response = client_for(superuser).get(admin_url(model, "change", instance().pk))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["steward", "moderator", "commenter"])
def test_a_signed_in_person_who_is_not_staff_is_sent_to_the_admin_login(request, published, persona):
    client = client_for(request.getfixturevalue(persona))
    for url in (reverse("admin:index"), admin_url("clausetext", "changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_an_anonymous_reader_is_sent_to_the_admin_login(reader, published):
    response = reader.get(admin_url("version", "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# Frozen text


def test_the_admin_refuses_to_change_a_published_clause_text(superuser, published):
    text = published_text()
    client = client_for(superuser)
    response = client.post(
        admin_url("clausetext", "change", text.pk), clause_text_form(text, body="Rewritten after publishing.")
    )
    assert response.status_code == 403
    text.refresh_from_db()
    assert text.body == "What this covers."
    assert "Rewritten" not in text.body_html


def test_the_admin_shows_a_published_clause_text_read_only(superuser, published):
    text = published_text()
    response = client_for(superuser).get(admin_url("clausetext", "change", text.pk))
    assert response.status_code == 200
    assert b'name="body"' not in response.content
    assert b"What this covers." in response.content


def test_the_admin_refuses_to_delete_a_published_clause_text(superuser, published):
    text = published_text()
    response = client_for(superuser).post(admin_url("clausetext", "delete", text.pk), {"post": "yes"})
    assert response.status_code == 403
    assert ClauseText.objects.filter(pk=text.pk).exists()


def test_the_admin_changes_a_draft_clause_text(superuser, published):
    text = draft_text()
    response = client_for(superuser).post(
        admin_url("clausetext", "change", text.pk), clause_text_form(text, body="A *better* wording.")
    )
    assert response.status_code == 302
    text.refresh_from_db()
    assert text.body == "A *better* wording."
    assert "<em>better</em>" in text.body_html


def test_a_published_version_page_offers_no_editable_clause_text_rows(superuser, published):
    version = Version.objects.get(label="1.0")
    response = client_for(superuser).get(admin_url("version", "change", version.pk))
    assert response.status_code == 200
    assert b"clause_texts-0-heading" not in response.content


def test_the_admin_refuses_to_delete_a_published_version(superuser, published):
    version = Version.objects.get(label="1.0")
    response = client_for(superuser).post(admin_url("version", "delete", version.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Version.objects.filter(pk=version.pk, status=Version.Status.PUBLISHED).exists()


def test_the_admin_cannot_rename_a_published_version(superuser, published):
    version = Version.objects.get(label="1.0")
    form = {
        "definition": version.definition_id,
        "label": "1.0-renamed",
        "sequence": version.sequence,
        "title": version.title,
        "release_notes": version.release_notes,
        "comments_close_at_0": "",
        "comments_close_at_1": "",
        "created_at_0": version.created_at.strftime("%Y-%m-%d"),
        "created_at_1": version.created_at.strftime("%H:%M:%S"),
        "clause_texts-TOTAL_FORMS": "0",
        "clause_texts-INITIAL_FORMS": "0",
        "clause_texts-MIN_NUM_FORMS": "0",
        "clause_texts-MAX_NUM_FORMS": "1000",
    }
    response = client_for(superuser).post(admin_url("version", "change", version.pk), form)
    assert response.status_code in (302, 403)  # saved or refused, not a form error
    version.refresh_from_db()
    assert version.label == "1.0"


def test_a_published_clause_keeps_its_key_read_only(superuser, published):
    clause = Clause.objects.get(key="scope")
    response = client_for(superuser).get(admin_url("clause", "change", clause.pk))
    assert b'name="key"' not in response.content


def test_adding_a_clause_text_to_a_published_version_is_refused_without_a_server_error(superuser, published):
    text = published_text()
    extra = Clause.objects.create(definition=text.version.definition, key="extra")
    response = client_for(superuser).post(
        admin_url("clausetext", "add"),
        clause_text_form(text, clause=extra.pk, position=9, body="Sneaked in."),
    )
    assert response.status_code in (200, 403)
    assert not ClauseText.objects.filter(clause=extra).exists()


def test_the_admin_refuses_a_second_draft_with_a_form_error(superuser):
    make_definition(slug="charter", versions={"1.1": [("a", "A", "x")]}, publish=False)
    definition = Definition.objects.get(slug="charter")
    response = client_for(superuser).post(
        reverse("admin:definition_version_add"),
        {
            "definition": definition.pk, "label": "1.2", "sequence": 9, "title": "T", "release_notes": "",
            "clause_texts-TOTAL_FORMS": 0, "clause_texts-INITIAL_FORMS": 0,
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "already has a draft" in response.content.decode()
    assert definition.versions.count() == 1


def test_the_stewards_record_is_read_only_in_the_admin(superuser, steward):
    from definition import drafting

    definition = make_definition(slug="charter")
    drafting.start_draft(definition=definition, label="2.0", by=steward)
    action = StewardAction.objects.get()
    client = client_for(superuser)
    assert client.get(reverse("admin:definition_stewardaction_changelist")).status_code == 200
    assert (
        client.post(
            reverse("admin:definition_stewardaction_delete", args=[action.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert StewardAction.objects.filter(pk=action.pk).exists()


def test_the_admin_lists_comments_and_moderation_records_and_never_deletes_a_comment(superuser, commenter):
    from comments.models import Comment

    definition = make_definition(slug="charter")
    version = definition.versions.get()
    comment = Comment.objects.create(
        clause=definition.clauses.first(), version=version, author=commenter, body="Hello."
    )
    client = client_for(superuser)
    for name in [
        "comments_comment", "comments_commentrevision", "comments_endorsement", "comments_subscription",
        "moderation_flag", "moderation_moderationaction", "moderation_disposition",
        "moderation_dispositionresponse", "moderation_draftlink", "accounts_profile",
    ]:  # fmt: skip
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:comments_comment_change", args=[comment.pk])).status_code == 200
    assert (
        client.post(reverse("admin:comments_comment_delete", args=[comment.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_the_admin_cannot_change_a_comments_status_round_the_moderation_log(superuser, commenter):
    from comments.models import Comment

    definition = make_definition(slug="charter")
    comment = Comment.objects.create(
        clause=definition.clauses.first(), version=definition.versions.get(), author=commenter, body="Hello."
    )
    client = client_for(superuser)
    response = client.post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {"status": "hidden", "status_reason": "Quietly.", "on_behalf_of": ""},
    )
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
    assert client.get(reverse("admin:comments_comment_change", args=[comment.pk])).status_code == 200


def test_the_admin_cannot_suspend_a_person_round_the_moderation_log(superuser, commenter):
    profile = commenter.profile
    client = client_for(superuser)
    response = client.post(
        reverse("admin:accounts_profile_change", args=[profile.pk]),
        {
            "user": commenter.pk,
            "display_name": profile.display_name,
            "affiliation": profile.affiliation,
            "suspended_at_0": "2026-01-01",
            "suspended_at_1": "10:00:00",
            "suspension_reason": "Quietly.",
        },
    )
    assert response.status_code == 302  # saved: the other fields may be changed
    profile.refresh_from_db()
    assert profile.suspended_at is None and profile.suspension_reason == ""
