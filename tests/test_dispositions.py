"""Dispositions (issue 5): what the stewards did with every thread-starting comment, the author's
answer, triage, comments from other channels, which comments drove which revisions, the "what
changed and why" page, and the disposition report as a page, CSV and JSON."""

import csv
import io
import json
import re
import uuid

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from comments import actions as comment_actions
from comments.models import Comment, Endorsement
from definition import drafting
from definition.models import ClauseText
from moderation import actions
from moderation.models import Disposition, DispositionResponse, DraftLink, Flag
from tests.conftest import client_for, make_comment, make_definition, make_user
from tests.queries import count_queries

SLUG = "charter"
STOP_LINK = re.compile(r"http://testserver(/comments/unsubscribe/[^/\s]+/)")


@pytest.fixture
def charter(db):
    return make_definition(
        slug=SLUG,
        versions={
            "0.9": [("scope", "Scope", "This charter covers gardens."), ("terms", "Terms", "Words we use.")],
            "1.0": [
                ("scope", "Scope", "This charter covers community gardens."),
                ("terms", "Terms", "Words we use."),
            ],
        },
    )


@pytest.fixture
def version(charter):
    return charter.versions.get(label="1.0")


def decide(comment, steward, status="declined", rationale="", **extra) -> Disposition:
    return actions.record_disposition(
        comment=comment, by=steward, status=status, rationale=rationale, **extra
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def disposition_url(comment) -> str:
    return reverse("moderation_stewards:disposition", args=[comment.pk])


def clause_page(client, version, key="scope") -> str:
    response = client.get(reverse("definition:clause", args=[SLUG, version.label, key]))
    assert response.status_code == 200
    return response.content.decode()


def report_url(label="1.0", fmt=None) -> str:
    url = reverse("record:dispositions", args=[SLUG, label])
    return f"{url}?format={fmt}" if fmt else url


def download(client, label, fmt) -> str:
    response = client.get(report_url(label, fmt))
    assert response.status_code == 200
    assert response.streaming  # the complete record, written out as it streams
    return b"".join(response.streaming_content).decode()


def csv_rows(client, label="1.0") -> list[dict]:
    assert client.get(report_url(label, "csv"))["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(download(client, label, "csv"))))


def json_document(client, label="1.0") -> dict:
    return json.loads(download(client, label, "json"))


@pytest.fixture
def comment(commenter, version):
    return make_comment(commenter, version, body="Please cover orchards as well.")


# Recording a disposition


def test_a_steward_records_a_disposition_on_a_thread_starting_comment(steward, comment):
    start = timezone.now()
    response = client_for(steward).post(
        disposition_url(comment), {"status": "declined", "rationale": "Orchards are *out of scope*."}
    )
    assert response.status_code == 302
    assert start <= Disposition.objects.get().decided_at <= timezone.now()
    [recorded] = Disposition.objects.all()
    assert (recorded.comment, recorded.status, recorded.decided_by, recorded.is_current) == (
        comment,
        "declined",
        steward,
        True,
    )
    assert recorded.rationale_html.strip() == "<p>Orchards are <em>out of scope</em>.</p>"


def test_a_disposition_is_refused_on_a_reply(steward, version, comment):
    reply = make_comment(make_user(), version, body="I agree.", parent=comment)
    response = client_for(steward).post(disposition_url(reply), {"status": "declined", "rationale": ""})
    assert response.status_code == 404
    with pytest.raises(actions.ModerationError, match="thread's first comment"):
        decide(reply, steward)
    assert Disposition.objects.count() == 0


def test_changing_a_disposition_keeps_the_earlier_record(steward, comment):
    client = client_for(steward)
    client.post(disposition_url(comment), {"status": "deferred", "rationale": "Next year."})
    client.post(disposition_url(comment), {"status": "declined", "rationale": "Decided against it."})
    records = list(Disposition.objects.order_by("pk").values_list("status", "rationale", "is_current"))
    assert records == [("deferred", "Next year.", False), ("declined", "Decided against it.", True)]


def test_the_disposition_page_shows_the_earlier_and_the_current_record(steward, comment):
    decide(comment, steward, "deferred", "Next year.")
    decide(comment, steward, "declined", "Decided against it.")
    response = client_for(steward).get(disposition_url(comment))
    assert response.status_code == 200
    html = response.content.decode()
    record = html[html.index('id="record_title"') :]
    assert "<strong>Deferred</strong>" in record
    assert "<strong>Declined</strong>" in record
    assert "Next year." in record
    assert "Decided against it." in record
    assert record.count("(current)") == 1
    # Newest first, and the newest is the current one.
    newest, earlier = record.index("<strong>Declined</strong>"), record.index("<strong>Deferred</strong>")
    assert newest < record.index("(current)") < earlier


def test_a_duplicate_must_say_which_comment_it_duplicates(steward, version, comment):
    response = client_for(steward).post(
        disposition_url(comment), {"status": "duplicate", "rationale": "", "duplicate_of": ""}
    )
    assert response.status_code == 400
    assert Disposition.objects.count() == 0
    with pytest.raises(actions.ModerationError, match="which comment"):
        decide(comment, steward, "duplicate")
    assert Disposition.objects.count() == 0


def test_a_duplicate_names_the_original_comment(steward, version, comment):
    original = make_comment(make_user(), version, body="Orchards, please.")
    response = client_for(steward).post(
        disposition_url(comment),
        {"status": "duplicate", "rationale": "", "duplicate_of": original.tracking_number},
    )
    assert response.status_code == 302
    assert Disposition.objects.get().duplicate_of == original


def test_a_comment_cannot_duplicate_itself(steward, comment):
    response = client_for(steward).post(
        disposition_url(comment),
        {"status": "duplicate", "rationale": "", "duplicate_of": comment.tracking_number},
    )
    assert response.status_code == 400
    assert Disposition.objects.count() == 0


# The author's answer


def answer(person, disposition, verdict, note=""):
    return client_for(person).post(
        reverse("respond", args=[disposition.pk]), {"verdict": verdict, "note": note}
    )


@pytest.mark.parametrize(
    "verdict, note, shown",
    [
        ("satisfied", "", "The author is <strong>satisfied</strong>"),
        (
            "objects",
            "Orchards matter here.",
            "The author is <strong>objecting</strong>: “Orchards matter here.”",
        ),
    ],
)
def test_the_author_answers_a_disposition_and_the_answer_shows_with_it(
    version, steward, commenter, comment, verdict, note, shown
):
    disposition = decide(comment, steward, "declined", "Out of scope.")
    response = answer(commenter, disposition, verdict, note)
    assert response.status_code == 302
    stored = DispositionResponse.objects.get()
    assert (stored.disposition, stored.author, stored.verdict, stored.note) == (
        disposition,
        commenter,
        verdict,
        note,
    )
    assert shown in clause_page(client_for(None), version)


def test_the_authors_answer_appears_in_the_report_page_and_its_downloads(reader, steward, commenter, comment):
    disposition = decide(comment, steward, "declined", "Out of scope.")
    answer(commenter, disposition, "objects", "Orchards matter here.")
    html = reader.get(report_url()).content.decode()
    assert "Objects: “Orchards matter here.”" in html
    [row] = csv_rows(reader)
    assert (row["author_answer"], row["author_note"]) == ("objects", "Orchards matter here.")
    [entry] = json_document(reader)["dispositions"]
    assert (entry["author_answer"], entry["author_note"]) == ("objects", "Orchards matter here.")


def test_answering_again_replaces_the_authors_answer(steward, commenter, comment):
    disposition = decide(comment, steward)
    answer(commenter, disposition, "objects", "No.")
    answer(commenter, disposition, "satisfied", "Fair enough.")
    assert list(DispositionResponse.objects.values_list("verdict", "note")) == [("satisfied", "Fair enough.")]


@pytest.mark.parametrize("who", ["someone else", "steward"])
def test_only_the_author_may_answer_a_disposition(request, steward, comment, who):
    disposition = decide(comment, steward)
    person = make_user() if who == "someone else" else steward
    response = answer(person, disposition, "satisfied")
    assert response.status_code == 403
    assert DispositionResponse.objects.count() == 0


def test_an_answer_to_a_replaced_disposition_is_refused(steward, commenter, comment):
    earlier = decide(comment, steward, "deferred")
    decide(comment, steward, "declined")
    response = answer(commenter, earlier, "satisfied")
    assert response.status_code == 302
    assert messages_of(response) == ["This disposition has been replaced; answer the current one."]
    assert DispositionResponse.objects.count() == 0


def test_the_answer_form_is_shown_to_the_author_only(version, steward, commenter, comment):
    disposition = decide(comment, steward)
    form_action = reverse("respond", args=[disposition.pk])
    assert form_action in clause_page(client_for(commenter), version)
    assert form_action not in clause_page(client_for(make_user()), version)
    assert form_action not in clause_page(client_for(None), version)


# Telling the author


def test_the_author_is_emailed_when_a_disposition_is_recorded(
    django_capture_on_commit_callbacks, steward, commenter, comment
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(steward).post(
            disposition_url(comment), {"status": "declined", "rationale": "Out of scope."}
        )
    [message] = mail.outbox
    assert message.to == [commenter.email]
    assert comment.tracking_number in message.subject
    assert "declined" in message.subject
    assert "Out of scope." in message.body
    assert "http://testserver" + comment.get_absolute_url() in message.body
    assert STOP_LINK.search(message.body)


def test_the_disposition_stop_link_stops_disposition_emails_only(
    django_capture_on_commit_callbacks, version, steward, commenter, comment
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(comment, steward)
    stop = STOP_LINK.search(mail.outbox[0].body).group(1)
    assert client_for(None).post(stop).status_code == 200
    profile = Profile.objects.get(user=commenter)
    assert profile.email_on_disposition is False
    assert (profile.email_on_reply, profile.email_receipts) == (True, True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide(comment, steward, "deferred")
    assert mail.outbox == []
    # Replies still come.
    with django_capture_on_commit_callbacks(execute=True):
        comment_actions.post_comment(
            author=make_user(),
            clause_text=ClauseText.objects.get(version=version, clause__key="scope"),
            body="I agree with you.",
            token=uuid.uuid4(),
            parent=comment,
        )
    assert [m.to for m in mail.outbox if "replied" in m.subject] == [[commenter.email]]


def test_nobody_is_emailed_for_the_disposition_of_a_comment_made_elsewhere(
    django_capture_on_commit_callbacks, steward, version
):
    external = make_comment(steward, version, body="From the forum.", source="forum", external_author="Ann")
    with django_capture_on_commit_callbacks(execute=True):
        decide(external, steward)
    assert mail.outbox == []


# Triage


@pytest.fixture
def triage_set(version, steward):
    """Four threads on 1.0 (and a reply): two awaiting, one declined, one accepted."""
    c1 = make_comment(make_user(), version, "scope", "One: oldest, awaiting.")
    c2 = make_comment(make_user(), version, "terms", "Two: declined.")
    c3 = make_comment(make_user(), version, "scope", "Three: accepted.")
    c4 = make_comment(make_user(), version, "terms", "Four: awaiting.")
    make_comment(make_user(), version, "scope", "A reply to one.", parent=c1)
    for target, endorsements in ((c2, 3), (c3, 1), (c4, 2)):
        for _ in range(endorsements):
            Endorsement.objects.create(comment=target, person=make_user())
    decide(c2, steward, "declined")
    decide(c3, steward, "accepted")
    return c1, c2, c3, c4


def triage(steward, **filters) -> list[int]:
    response = client_for(steward).get(reverse("moderation_stewards:triage", args=[SLUG, "1.0"]), filters)
    assert response.status_code == 200
    return [c.pk for c in response.context["comments"]]


def test_triage_lists_thread_starting_comments_awaiting_response_first(steward, triage_set):
    c1, c2, c3, c4 = triage_set
    assert triage(steward) == [c1.pk, c4.pk, c2.pk, c3.pk]


def test_triage_can_sort_by_most_endorsed(steward, triage_set):
    c1, c2, c3, c4 = triage_set
    assert triage(steward, sort="endorsed") == [c2.pk, c4.pk, c3.pk, c1.pk]


def test_triage_filters_by_clause(steward, triage_set):
    c1, c2, c3, c4 = triage_set
    assert triage(steward, clause="scope") == [c1.pk, c3.pk]


def test_triage_filters_by_status(steward, triage_set):
    c1, c2, c3, c4 = triage_set
    assert triage(steward, status="declined") == [c2.pk]
    assert triage(steward, status="awaiting") == [c1.pk, c4.pk]


def test_triage_combines_clause_and_status_filters(steward, triage_set):
    c1, c2, c3, c4 = triage_set
    assert triage(steward, clause="terms", status="awaiting") == [c4.pk]


def test_triage_says_how_many_await_a_response(steward, triage_set):
    html = client_for(steward).get(reverse("moderation_stewards:triage", args=[SLUG, "1.0"])).content.decode()
    assert "4 shown, 2 awaiting a response." in html


# Comments made elsewhere


def enter_external(steward, **extra):
    data = {
        "external_author": "Allotment Society",
        "source": "town-hall call of 3 May",
        "source_url": "https://example.org/minutes",
        "quote": "",
        "body": "Orchards should be covered too.",
        **extra,
    }
    response = client_for(steward).post(
        reverse("moderation_stewards:external", args=[SLUG, "1.0", "scope"]), data
    )
    assert response.status_code == 302, response.content.decode()
    return Comment.objects.get(source=data["source"])


def test_a_steward_enters_a_comment_made_elsewhere_with_its_source_and_link(steward, version):
    entered = enter_external(steward)
    assert (entered.external_author, entered.source, entered.source_url, entered.author) == (
        "Allotment Society",
        "town-hall call of 3 May",
        "https://example.org/minutes",
        steward,
    )
    assert entered.root_id == entered.pk
    assert entered.clause.key == "scope"


def test_a_comment_made_elsewhere_shows_marked_as_such_on_the_clause_page(steward, version):
    enter_external(steward)
    html = clause_page(client_for(None), version)
    assert "Allotment Society" in html
    assert (
        'via <a href="https://example.org/minutes" rel="nofollow noopener ugc">town-hall call of 3 May</a>, entered by'
        in html
    )


def test_a_comment_made_elsewhere_shows_marked_as_such_in_the_report(reader, steward, version):
    entered = enter_external(steward)
    html = reader.get(report_url()).content.decode()
    row = html[html.index(f'id="row-{entered.pk}"') :]
    assert "via town-hall call of 3 May" in row
    assert "Allotment Society" in row
    [entry] = json_document(reader)["dispositions"]
    assert (entry["author"], entry["source"]) == ("Allotment Society", "town-hall call of 3 May")


def test_its_author_cannot_answer_the_disposition_of_a_comment_made_elsewhere(steward, version):
    entered = enter_external(steward)
    disposition = decide(entered, steward)
    assert answer(steward, disposition, "satisfied").status_code == 403
    assert DispositionResponse.objects.count() == 0


def test_a_quote_from_elsewhere_must_be_in_the_clause(steward, version):
    response = client_for(steward).post(
        reverse("moderation_stewards:external", args=[SLUG, "1.0", "scope"]),
        {
            "external_author": "Ann",
            "source": "email",
            "source_url": "",
            "quote": "words the clause never had",
            "body": "A comment.",
        },
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


# Linking comments to revisions


@pytest.fixture
def drafting_world(charter, version, steward):
    """Draft 1.1 widens the scope clause. Offered on scope: a comment on 1.0, one on 0.9, a
    deferred one and a declined one (a change may answer it after all); not offered: one on
    terms, a hidden one."""
    earlier = charter.versions.get(label="0.9")
    world = {
        "open": make_comment(make_user(), version, "scope", "Say orchards too."),
        "earlier": make_comment(make_user(), earlier, "scope", "Gardens of every kind?"),
        "deferred": make_comment(make_user(), version, "scope", "Think about parks."),
        "declined": make_comment(make_user(), version, "scope", "Cover the whole city."),
        "on terms": make_comment(make_user(), version, "terms", "Define 'garden'."),
        "hidden": make_comment(
            make_user(), version, "scope", "Spam.", status=Comment.Status.HIDDEN, status_reason="Spam."
        ),
    }
    decide(world["deferred"], steward, "deferred")
    decide(world["declined"], steward, "declined")
    draft = drafting.start_draft(definition=charter, label="1.1", by=steward)
    text = draft.clause_texts.get(clause__key="scope")
    drafting.edit_clause(
        draft=draft,
        key="scope",
        expected_revision=text.revision,
        heading="Scope",
        level=2,
        body="This charter covers community gardens and orchards.",
        new_key="scope",
        by=steward,
    )
    world["draft"] = draft
    return world


def publish(steward, **drove):
    data = {"release_notes": "Scope widened.", "comments_close_at": "", "close_previous": "on", **drove}
    response = client_for(steward).post(reverse("stewards:publish", args=[SLUG]), data)
    assert response.status_code == 302, response.content.decode()
    return response


def test_the_draft_edit_page_shows_the_open_comments_on_that_clause(steward, drafting_world):
    response = client_for(steward).get(reverse("stewards:edit_clause", args=[SLUG, "scope"]))
    assert response.status_code == 200
    shown = {c.pk for c in response.context["open_comments"]}
    assert shown == {drafting_world[name].pk for name in ("open", "earlier", "deferred", "declined")}
    html = response.content.decode()
    assert drafting_world["open"].tracking_number in html
    assert drafting_world["hidden"].tracking_number not in html
    assert drafting_world["on terms"].tracking_number not in html


def test_a_comment_already_accepted_in_a_version_is_not_offered_again(steward, drafting_world, version):
    decide(
        drafting_world["open"],
        steward,
        "accepted",
        addressed_in=version,
        clauses=[drafting_world["open"].clause],
    )
    response = client_for(steward).get(reverse("stewards:edit_clause", args=[SLUG, "scope"]))
    assert drafting_world["open"].pk not in {c.pk for c in response.context["open_comments"]}


def selected_option(html, comment, key="scope") -> str | None:
    """The chosen option of a comment's "drove it" select on the publish page."""
    name = f"drove_{comment.pk}_{key}"
    match = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', html, re.S)
    assert match, f"no select for {name}"
    chosen = re.search(r'<option value="([^"]*)" selected>', match.group(1))
    return chosen.group(1) if chosen else None


def test_marking_a_comment_while_drafting_preselects_it_on_the_publish_page(steward, drafting_world):
    client = client_for(steward)
    response = client.post(
        reverse("moderation_stewards:draft_link", args=[SLUG, "scope"]),
        {"comment": drafting_world["open"].pk, "drove": "accepted"},
    )
    assert response.status_code == 302
    assert DraftLink.objects.filter(comment=drafting_world["open"], partial=False).count() == 1
    html = client.get(reverse("stewards:publish", args=[SLUG])).content.decode()
    assert selected_option(html, drafting_world["open"]) == "accepted"
    assert selected_option(html, drafting_world["earlier"]) is None


def test_a_comment_that_is_not_open_on_the_clause_cannot_be_marked(steward, drafting_world):
    response = client_for(steward).post(
        reverse("moderation_stewards:draft_link", args=[SLUG, "scope"]),
        {"comment": drafting_world["on terms"].pk, "drove": "accepted"},
    )
    assert response.status_code == 302
    assert messages_of(response) == ["That comment is not open on this clause."]
    assert DraftLink.objects.count() == 0


def test_publishing_records_the_chosen_comments_as_accepted_in_the_new_version(steward, drafting_world):
    chosen = drafting_world["open"]
    publish(steward, **{f"drove_{chosen.pk}_scope": "accepted"})
    recorded = Disposition.objects.get(comment=chosen)
    assert (recorded.status, recorded.addressed_in.label, recorded.is_current, recorded.decided_by) == (
        "accepted",
        "1.1",
        True,
        steward,
    )
    assert [c.key for c in recorded.clauses.all()] == ["scope"]
    assert recorded.drove_revision


def test_publishing_can_record_a_comment_on_an_earlier_version_as_partially_accepted(steward, drafting_world):
    chosen = drafting_world["earlier"]
    publish(steward, **{f"drove_{chosen.pk}_scope": "partially-accepted"})
    recorded = Disposition.objects.get(comment=chosen)
    assert (recorded.status, recorded.addressed_in.label) == ("partially-accepted", "1.1")


def test_publishing_replaces_a_deferred_disposition_and_keeps_it_in_the_record(steward, drafting_world):
    chosen = drafting_world["deferred"]
    publish(steward, **{f"drove_{chosen.pk}_scope": "accepted"})
    assert list(chosen.dispositions.order_by("pk").values_list("status", "is_current")) == [
        ("deferred", False),
        ("accepted", True),
    ]


def test_publishing_clears_the_drafting_marks(steward, drafting_world):
    actions.toggle_draft_link(
        draft=drafting_world["draft"],
        comment=drafting_world["open"],
        clause=drafting_world["open"].clause,
        by=steward,
        partial=False,
        linked=True,
    )
    publish(steward, **{f"drove_{drafting_world['open'].pk}_scope": "accepted"})
    assert DraftLink.objects.count() == 0


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param(
            lambda w: {f"drove_{w['on terms'].pk}_scope": "accepted"}, id="a comment on another clause"
        ),
        pytest.param(lambda w: {f"drove_{w['hidden'].pk}_scope": "accepted"}, id="a hidden comment"),
        pytest.param(
            lambda w: {f"drove_{w['open'].pk}_nosuchclause": "accepted"}, id="a clause that is not there"
        ),
        pytest.param(lambda w: {"drove_999999_scope": "accepted"}, id="a comment that is not there"),
        pytest.param(
            lambda w: {f"drove_{w['open'].pk}_scope": "declined"}, id="a status that is not a revision"
        ),
    ],
)
def test_a_forged_drove_field_records_nothing(steward, drafting_world, forged):
    before = list(Disposition.objects.order_by("pk").values_list("comment_id", "status", "is_current"))
    publish(steward, **forged(drafting_world))
    assert (
        list(Disposition.objects.order_by("pk").values_list("comment_id", "status", "is_current")) == before
    )


@pytest.fixture
def published_with_a_driving_comment(steward, drafting_world):
    publish(steward, **{f"drove_{drafting_world['open'].pk}_scope": "accepted"})
    return drafting_world["open"]


def test_a_comment_that_drove_a_change_carries_an_accepted_in_badge_linking_to_the_change(
    version, published_with_a_driving_comment
):
    html = clause_page(client_for(None), version)
    assert '<span class="badge disposition-badge">Accepted in 1.1</span>' in html
    assert f'href="{reverse("record:changes", args=[SLUG, "1.1"])}"' in html


def test_the_badge_also_shows_on_the_new_versions_clause_page(charter, published_with_a_driving_comment):
    html = clause_page(client_for(None), charter.versions.get(label="1.1"))
    earlier = html[html.index(f'id="comment-{published_with_a_driving_comment.pk}"') :]
    assert '<span class="badge disposition-badge">Accepted in 1.1</span>' in earlier


def test_the_changes_page_lists_each_changed_clause_with_its_diff_and_the_comments_that_drove_it(
    reader, published_with_a_driving_comment
):
    response = reader.get(reverse("record:changes", args=[SLUG, "1.1"]))
    assert response.status_code == 200
    assert [row.key for row in response.context["rows"]] == ["scope"]  # terms did not change
    html = response.content.decode()
    assert "<ins> and orchards</ins>" in html
    driving = published_with_a_driving_comment
    assert (
        f'<a href="{reverse("comments:permalink", args=[driving.pk])}">{driving.tracking_number}</a>' in html
    )
    assert "Comments that drove this change:" in html


def test_the_changes_page_says_when_no_comment_drove_a_change(reader, steward, drafting_world):
    publish(steward)
    html = reader.get(reverse("record:changes", args=[SLUG, "1.1"])).content.decode()
    assert "No comment is recorded as having driven this change." in html


def test_the_clause_history_shows_the_driving_comment_with_its_revision(
    reader, published_with_a_driving_comment
):
    response = reader.get(reverse("definition:clause_history", args=[SLUG, "scope"]))
    assert response.status_code == 200
    entries = response.content.decode().split('<li class="history-entry">')[1:]
    by_version = {re.search(r">Version ([\d.]+)</a>", entry).group(1): entry for entry in entries}
    assert set(by_version) == {"1.1", "1.0", "0.9"}
    assert published_with_a_driving_comment.tracking_number in by_version["1.1"]
    assert "Comments that drove this revision:" in by_version["1.1"]
    assert "Comments that drove this revision:" not in by_version["1.0"]


# The report


@pytest.fixture
def report_set(version, steward, commenter):
    """Three threads with a reply: one accepted in 1.0 and answered, one duplicate, one awaiting."""
    accepted = make_comment(commenter, version, "scope", "Say community gardens.")
    duplicate = make_comment(make_user(), version, "scope", "Community gardens, please.")
    awaiting = make_comment(make_user(), version, "terms", "Define members.")
    make_comment(make_user(), version, "terms", "A reply, not a thread.", parent=awaiting)
    Endorsement.objects.create(comment=accepted, person=make_user())
    Endorsement.objects.create(comment=accepted, person=make_user())
    scope = version.definition.clauses.get(key="scope")
    first = decide(accepted, steward, "accepted", "Done in 1.0.", addressed_in=version, clauses=[scope])
    DispositionResponse.objects.create(
        disposition=first, author=commenter, verdict="satisfied", note="Thanks!"
    )
    decide(duplicate, steward, "duplicate", "Same as the other.", duplicate_of=accepted)
    return accepted, duplicate, awaiting


def test_the_report_lists_every_thread_starting_comment_with_its_disposition(reader, commenter, report_set):
    accepted, duplicate, awaiting = report_set
    response = reader.get(report_url())
    assert response.status_code == 200
    assert [c.pk for c in response.context["report"].comments] == [accepted.pk, duplicate.pk, awaiting.pk]
    html = response.content.decode()
    row = html[html.index(f'id="row-{accepted.pk}"') : html.index(f'id="row-{duplicate.pk}"')]
    assert accepted.tracking_number in row
    assert ">scope</a>" in row
    assert Profile.objects.get(user=commenter).name in row
    assert "<td>2</td>" in row
    assert "<strong>Accepted</strong>, in 1.0" in row
    assert "Done in 1.0." in row
    assert "Satisfied: “Thanks!”" in row
    assert f"duplicate of {accepted.tracking_number}" in html
    assert "A reply, not a thread." not in html


def test_the_report_says_how_many_comments_await_a_response(reader, report_set):
    html = reader.get(report_url()).content.decode()
    assert "3 comments, <strong>1 still awaiting a response</strong>" in html
    assert json_document(reader)["awaiting_response"] == 1


def test_the_json_report_has_the_same_rows_as_the_page(reader, commenter, report_set):
    accepted, duplicate, awaiting = report_set
    document = json_document(reader)
    assert (document["definition"], document["version"], document["comments"]) == (SLUG, "1.0", 3)
    rows = document["dispositions"]
    assert [r["tracking_number"] for r in rows] == [c.tracking_number for c in report_set]
    first = rows[0]
    assert first["clause"] == "scope"
    assert first["author"] == Profile.objects.get(user=commenter).name
    assert (first["endorsements"], first["disposition"], first["rationale"]) == (
        2,
        "accepted",
        "Done in 1.0.",
    )
    assert (first["addressed_in"], first["clauses_revised"]) == ("1.0", "scope")
    assert (first["author_answer"], first["author_note"]) == ("satisfied", "Thanks!")
    assert rows[1]["duplicate_of"] == accepted.tracking_number
    assert (rows[2]["disposition"], rows[2]["rationale"]) == ("awaiting", "")


def test_the_csv_report_has_the_same_rows_as_the_json_report(reader, report_set):
    from_json = [
        {key: str(value) for key, value in row.items()} for row in json_document(reader)["dispositions"]
    ]
    assert csv_rows(reader) == from_json


def test_the_report_downloads_are_named_after_the_definition_and_version(reader, report_set):
    for fmt in ("csv", "json"):
        response = reader.get(report_url(fmt=fmt))
        assert response["Content-Disposition"] == f'attachment; filename="{SLUG}-1.0-dispositions.{fmt}"'


@pytest.mark.parametrize(
    "dangerous",
    ['=HYPERLINK("http://x","click me")', "+1+1", "-2+3", "@SUM(A1:A9)"],
)
def test_the_csv_report_is_safe_to_open_in_a_spreadsheet(reader, version, steward, dangerous):
    author = make_user()
    Profile.objects.filter(user=author).update(display_name=dangerous)
    target = make_comment(author, version, body=dangerous)
    disposition = decide(target, steward, "declined", rationale=dangerous)
    DispositionResponse.objects.create(
        disposition=disposition, author=author, verdict="objects", note=dangerous
    )
    [row] = csv_rows(reader)
    for column in ("author", "comment", "rationale", "author_note"):
        assert row[column] == "'" + dangerous
    assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())


def test_a_hidden_comment_shows_its_placeholder_not_its_text_in_the_report(
    reader, version, steward, moderator
):
    target = make_comment(make_user(), version, body="Spam text.")
    actions.hide(comment=target, actor=moderator, reason="Spam.")
    [row] = csv_rows(reader)
    assert row["comment"] == "This comment was hidden by a moderator. Reason: Spam."
    assert "Spam text." not in reader.get(report_url()).content.decode()


# Query counts stay the same however many comments there are


def populate(version, new_version, steward, n):
    """n flagged, endorsed threads on `version`, each accepted in `new_version` (revising scope) and
    answered by its author."""
    scope = version.definition.clauses.get(key="scope")
    for i in range(n):
        author = make_user()
        target = make_comment(author, version, "scope" if i % 2 else "terms", f"Comment {i}.")
        make_comment(make_user(), version, target.clause.key, f"Reply {i}.", parent=target)
        Endorsement.objects.create(comment=target, person=make_user())
        Flag.objects.create(comment=target, reporter=make_user(), reason="spam", note=f"Flag {i}.")
        disposition = Disposition.objects.create(
            comment=target,
            status="accepted",
            rationale=f"Reason {i}.",
            decided_by=steward,
            addressed_in=new_version,
        )
        disposition.clauses.set([scope])
        DispositionResponse.objects.create(disposition=disposition, author=author, verdict="satisfied")


@pytest.fixture
def sized(charter, version, steward):
    draft = drafting.start_draft(definition=charter, label="1.1", by=steward)
    text = draft.clause_texts.get(clause__key="scope")
    drafting.edit_clause(
        draft=draft,
        key="scope",
        expected_revision=text.revision,
        heading="Scope",
        level=2,
        body="This charter covers community gardens and orchards.",
        new_key="scope",
        by=steward,
    )
    drafting.publish_draft(
        draft=draft, by=steward, release_notes="", comments_close_at=None, close_previous=False
    )
    return lambda n: populate(version, draft, steward, n)


def counts_at_two_sizes(client, url, sized) -> tuple[int, int]:
    sized(5)
    small = count_queries(client, url)
    sized(55)
    return small, count_queries(client, url)


def test_the_moderation_queue_makes_the_same_queries_for_5_or_60_flagged_comments(sized, moderator):
    small, large = counts_at_two_sizes(client_for(moderator), reverse("moderation:queue"), sized)
    # session, user, groups; comments, their open flags, the authors' history
    assert small == large == 6


def test_the_triage_page_makes_the_same_queries_for_5_or_60_comments(sized, steward):
    url = reverse("moderation_stewards:triage", args=[SLUG, "1.0"])
    small, large = counts_at_two_sizes(client_for(steward), url, sized)
    # session, user, groups, definition, version; comments, dispositions, clauses, answers; clause list
    assert small == large == 10


def test_the_report_page_makes_the_same_queries_for_5_or_60_comments(sized, reader):
    small, large = counts_at_two_sizes(reader, report_url(), sized)
    # definition, version; the summary of every comment; the page's ids in the text's order, then
    # those comments, their dispositions, the clauses they revised, answers
    assert small == large == 8
    assert count_queries(reader, report_url() + "?page=2") == 8  # the last page, of 10 comments


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_report_downloads_make_the_same_queries_for_5_or_60_comments(sized, reader, fmt):
    small, large = counts_at_two_sizes(reader, report_url(fmt=fmt), sized)
    # definition, version; every comment, their dispositions, the clauses they revised, answers;
    # clause titles
    assert small == large == 7


def test_the_changes_page_makes_the_same_queries_for_5_or_60_driving_comments(sized, reader):
    url = reverse("record:changes", args=[SLUG, "1.1"])
    small, large = counts_at_two_sizes(reader, url, sized)
    # definition, version, previous version and both texts; the driving dispositions and their clauses
    assert small == large == 7


# Records that cannot be true are refused.


def test_a_comment_cannot_be_addressed_in_a_version_before_it(charter, version, steward, commenter):
    comment = make_comment(commenter, version)
    earlier = charter.versions.get(label="0.9")
    with pytest.raises(actions.ModerationError, match="came before the comment") as error:
        decide(comment, steward, "accepted", addressed_in=earlier, clauses=[comment.clause])
    assert error.value.field == "addressed_in"
    assert not Disposition.objects.exists()


def test_only_a_revision_names_a_version_and_clauses(version, steward, commenter):
    comment = make_comment(commenter, version)
    with pytest.raises(actions.ModerationError, match="Only an accepted or partially accepted"):
        decide(comment, steward, "declined", addressed_in=version)
    with pytest.raises(actions.ModerationError, match="Only an accepted or partially accepted"):
        decide(comment, steward, "noted", clauses=[comment.clause])
    assert not Disposition.objects.exists()


def test_a_duplicate_names_the_first_comment_of_another_thread(version, steward, commenter, moderator):
    original = make_comment(commenter, version)
    reply = make_comment(moderator, version, parent=original, body="A reply.")
    comment = make_comment(moderator, version, body="Same point.")
    with pytest.raises(actions.ModerationError, match="not a reply"):
        decide(comment, steward, "duplicate", duplicate_of=reply)
    assert decide(comment, steward, "duplicate", duplicate_of=original).duplicate_of == original


def test_a_withdrawn_or_hidden_comment_is_not_counted_as_awaiting_a_response(
    charter, version, commenter, moderator
):
    make_comment(commenter, version, body="Waiting.")
    make_comment(moderator, version, body="Gone.", status=Comment.Status.WITHDRAWN)
    make_comment(moderator, version, body="Spam.", status=Comment.Status.HIDDEN, status_reason="Spam.")
    response = client_for(None).get(reverse("record:dispositions", args=[SLUG, "1.0"]))
    assert response.context["report"].summary.awaiting == 1
