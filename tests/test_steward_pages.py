"""The stewards' pages, used as a steward would from a browser without JavaScript."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from definition import drafting
from definition.models import ClauseText, DraftImport, StewardAction, Version
from tests.conftest import client_for, document, make_definition, make_user, many_clauses
from tests.queries import count_queries


@pytest.fixture
def draft(demo_definition, steward):
    return drafting.start_draft(definition=demo_definition, label="1.1", by=steward)


@pytest.fixture
def as_steward(steward):
    return client_for(steward)


def url(name, *args):
    return reverse(f"stewards:{name}", args=["charter", *args])


def field_errors(response, field):
    """The error list rendered next to one field (see _field.html)."""
    html = response.content.decode()
    match = re.search(rf'id="id_{field}_error">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


def snapshot():
    return (
        list(Version.objects.order_by("pk").values_list("label", "status")),
        list(
            ClauseText.objects.order_by("pk").values_list(
                "version_id", "clause_id", "position", "heading", "body"
            )
        ),
        StewardAction.objects.count(),
        DraftImport.objects.count(),
    )


# Starting and discarding


def test_starting_a_draft_from_the_draft_page(demo_definition, as_steward):
    page = as_steward.get(url("draft"))
    assert page.status_code == 200
    assert 'value="1.1"' in page.content.decode()  # the suggested next label
    response = as_steward.post(url("start"), {"label": "1.1"})
    assert response.status_code == 302 and response["Location"] == url("draft")
    assert demo_definition.versions.drafts().get().label == "1.1"


@pytest.mark.parametrize(
    "label, message",
    [("1.0", "already exists"), ("draft", "reserved word"), ("a b", "letters, digits"), ("", "required")],
)
def test_a_bad_label_is_refused_next_to_the_field(demo_definition, as_steward, label, message):
    before = snapshot()
    response = as_steward.post(url("start"), {"label": label})
    assert response.status_code == 400
    assert message in field_errors(response, "label")
    assert snapshot() == before


def test_discarding_asks_first_then_discards(draft, as_steward):
    assert "Discard the draft" in as_steward.get(url("discard")).content.decode()
    assert Version.objects.filter(pk=draft.pk).exists()
    response = as_steward.post(url("discard"))
    assert response.status_code == 302
    assert not Version.objects.filter(pk=draft.pk).exists()


# Editing


def edit_form(client, key):
    return client.get(url("edit_clause", key)).context["form"].initial


def test_editing_a_clause(draft, as_steward):
    form = edit_form(as_steward, "scope")
    response = as_steward.post(url("edit_clause", "scope"), {**form, "body": "Every garden.", "save": "1"})
    assert response.status_code == 302
    assert response["Location"] == url("draft") + "#scope"
    assert ClauseText.objects.get(version=draft, clause__key="scope").body == "Every garden."


def test_the_preview_button_renders_without_saving(draft, as_steward):
    form = edit_form(as_steward, "scope")
    response = as_steward.post(
        url("edit_clause", "scope"), {**form, "body": "Some **bold** <script>x</script>", "preview": "1"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>bold</strong>" in html and "<script>x" not in html
    assert (
        ClauseText.objects.get(version=draft, clause__key="scope").body != "Some **bold** <script>x</script>"
    )


def test_two_stewards_editing_the_same_clause_see_a_conflict_and_lose_nothing(draft, steward):
    other = make_user(groups=["Stewards"])
    first, second = client_for(steward), client_for(other)
    form_first, form_second = edit_form(first, "scope"), edit_form(second, "scope")

    assert first.post(url("edit_clause", "scope"), {**form_first, "body": "First text."}).status_code == 302
    response = second.post(url("edit_clause", "scope"), {**form_second, "body": "Second text."})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this clause" in html
    assert "First text." in html and "Second text." in html  # theirs shown, yours still in the form
    assert ClauseText.objects.get(version=draft, clause__key="scope").body == "First text."

    # Saving again, knowingly, replaces the first text.
    retry = response.context["form"].initial
    assert second.post(url("edit_clause", "scope"), retry).status_code == 302
    assert ClauseText.objects.get(version=draft, clause__key="scope").body == "Second text."


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"heading": "   "}, "heading", "required"),
        ({"key": "Not A Key"}, "key", "lower-case letters"),
        ({"key": "renamed-scope"}, "key", "cannot change"),
        ({"key": "members"}, "key", "cannot change"),
        ({"level": "9"}, "level", "Select a valid choice"),
    ],
)
def test_bad_edits_are_refused_next_to_the_field(draft, as_steward, change, field, message):
    form = edit_form(as_steward, "scope")
    before = snapshot()
    response = as_steward.post(url("edit_clause", "scope"), {**form, **change})
    assert response.status_code == 400
    assert message in field_errors(response, field)
    assert snapshot() == before


# Adding, moving, removing


def test_adding_a_clause_after_another(draft, as_steward):
    page = as_steward.get(url("add_clause"))
    assert '<label for="id_position">' in page.content.decode()
    response = as_steward.post(
        url("add_clause"),
        {"key": "budget", "heading": "Budget", "level": "2", "body": "Money.", "position": "1"},
    )
    assert response.status_code == 302
    assert list(draft.clause_texts.order_by("position").values_list("clause__key", flat=True)) == [
        "scope",
        "budget",
        "members",
        "meetings",
    ]


def test_adding_a_duplicate_key_is_refused(draft, as_steward):
    before = snapshot()
    response = as_steward.post(
        url("add_clause"), {"key": "members", "heading": "Again", "level": "2", "body": "", "position": "0"}
    )
    assert response.status_code == 400
    assert "already has a clause" in field_errors(response, "key")
    assert snapshot() == before


def test_moving_up_down_and_to_a_position(draft, as_steward):
    def order():
        return list(draft.clause_texts.order_by("position").values_list("clause__key", flat=True))

    as_steward.post(url("move_clause", "meetings"), {"direction": "up"})
    assert order() == ["scope", "meetings", "members"]
    as_steward.post(url("move_clause", "scope"), {"direction": "down"})
    assert order() == ["meetings", "scope", "members"]
    as_steward.post(url("move_clause", "members"), {"position": "1"})
    assert order() == ["members", "meetings", "scope"]
    response = as_steward.post(url("move_clause", "members"), {"position": "zero"}, follow=True)
    assert "whole number" in response.content.decode()
    assert order() == ["members", "meetings", "scope"]


def test_removing_asks_first(draft, as_steward):
    assert as_steward.get(url("remove_clause", "members")).status_code == 200
    assert draft.clause_texts.filter(clause__key="members").exists()
    as_steward.post(url("remove_clause", "members"))
    assert not draft.clause_texts.filter(clause__key="members").exists()


# Importing


def upload(client, text, name="draft.md"):
    return client.post(
        url("import_upload"),
        {"file": SimpleUploadedFile(name, text if isinstance(text, bytes) else text.encode())},
    )


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "The submitted file is empty"),
        ("Just some words, no headings.", "no headings"),
        ("# T\n\n## A {#x}\n\n## B {#x}\n", "line 5: the clause key {#x} is used twice"),
        (b"# T\n\n## A\n\n\xff\xfe", "not UTF-8"),
    ],
)
def test_an_unusable_upload_is_refused_next_to_the_field(draft, as_steward, content, message):
    before = snapshot()
    response = upload(as_steward, content)
    assert response.status_code == 400
    assert message in field_errors(response, "file")
    assert snapshot() == before


def test_an_upload_is_checked_then_applied_with_the_stewards_corrections(draft, as_steward):
    text = document("The Test Charter", [("scope", "Scope", "Gardens."), ("people", "People", "Anyone.")])
    response = upload(as_steward, text)
    pending = DraftImport.objects.get()
    assert response["Location"] == url("import_review", pending.pk)

    review = as_steward.get(response["Location"])
    html = review.content.decode()
    assert "members" in html  # proposed as removed, and offered as a choice
    assert ClauseText.objects.filter(version=draft, clause__key="people").count() == 0  # nothing applied yet

    response = as_steward.post(review.request["PATH_INFO"], {"clause_0": "scope", "clause_1": "members"})
    assert response.status_code == 302
    texts = list(draft.clause_texts.order_by("position").values_list("clause__key", "heading"))
    assert texts == [("scope", "Scope"), ("members", "People")]


def test_an_import_mapping_using_a_clause_twice_is_refused(draft, as_steward):
    upload(as_steward, document("T", [("a", "A", "x"), ("b", "B", "y")]))
    pending = DraftImport.objects.get()
    before = snapshot()
    response = as_steward.post(url("import_review", pending.pk), {"clause_0": "scope", "clause_1": "scope"})
    assert response.status_code == 400
    assert "chosen more than once: scope" in response.content.decode()
    assert snapshot() == before


# Publishing and comment periods


def test_publishing_from_the_browser(demo_definition, draft, as_steward, steward):
    page = as_steward.get(url("publish"))
    assert re.search(r'<input type="checkbox" name="close_previous"[^>]* checked', page.content.decode())
    response = as_steward.post(url("publish"), {"release_notes": "A **small** fix.", "close_previous": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("definition:version", args=["charter", "1.1"])
    version = Version.objects.get(pk=draft.pk)
    assert version.is_published and version.published_by == steward
    assert not demo_definition.versions.get(label="1.0").comments_open

    html = client_for(None).get(reverse("definition:latest", args=["charter"])).content.decode()
    assert "<strong>small</strong>" in html  # release notes
    assert steward.profile.name in html  # who published, by the name they show
    assert steward.email not in html
    assert "version 1.1 was published" in html  # announced on the definition's page


def test_a_closing_time_in_the_past_is_refused(draft, as_steward):
    before = snapshot()
    response = as_steward.post(
        url("publish"), {"comments_close_at": "2001-01-01T10:00", "close_previous": "on"}
    )
    assert response.status_code == 400
    assert "in the future" in field_errors(response, "comments_close_at")
    assert snapshot() == before


def test_closing_and_reopening_comments(demo_definition, as_steward):
    version = demo_definition.versions.get(label="1.0")
    as_steward.post(url("comment_period", "1.0"), {"action": "close"})
    version.refresh_from_db()
    assert not version.comments_open
    as_steward.post(url("comment_period", "1.0"), {"action": "open", "close_at": "2999-01-01T12:00"})
    version.refresh_from_db()
    assert version.comments_open and version.comments_close_at.year == 2999
    kinds = list(StewardAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["close-comments", "open-comments"]


def test_the_dashboard_shows_what_is_waiting(draft, as_steward):
    Version.objects.filter(label="1.0").update(comments_close_at=timezone.now() + timezone.timedelta(days=2))
    html = as_steward.get(reverse("stewards:dashboard")).content.decode()
    assert "Draft 1.1 is not published yet" in html
    assert "Comments on 1.0 close on" in html
    assert "started a draft" in html


# Query counts


def test_the_dashboard_and_draft_page_queries_do_not_grow_with_the_data(db, steward):
    client = client_for(steward)
    make_definition(slug="small", versions={"1": many_clauses(2)})
    drafting.start_draft(
        definition=make_definition(slug="small2", versions={"1": many_clauses(2)}), label="2", by=steward
    )
    small_dashboard = count_queries(client, reverse("stewards:dashboard"))
    small_draft = count_queries(client, reverse("stewards:draft", args=["small2"]))
    for n in range(4):
        big = make_definition(
            slug=f"big{n}", versions={str(v): many_clauses(30, suffix=f" {v}") for v in range(1, 5)}
        )
        drafting.start_draft(definition=big, label="9", by=steward)
    assert count_queries(client, reverse("stewards:dashboard")) == small_dashboard
    assert count_queries(client, reverse("stewards:draft", args=["big0"])) == small_draft
    # session, user, groups; definitions, versions, actions
    assert small_dashboard == 6
    # session, user, groups; definition, draft, latest published, its texts, the draft's texts, actions, imports
    assert small_draft == 10
