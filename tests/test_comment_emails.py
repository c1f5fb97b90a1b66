"""Emails about comments, sent through the tasks framework once the comment is stored: receipts,
replies, follows of a clause or a definition, new versions, and the link that stops each kind."""

import re
import uuid

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Profile
from comments import notifications
from comments.models import Comment, Subscription
from definition.drafting import publish_draft
from definition.importer import import_version
from definition.models import ClauseText
from tests.conftest import client_for, document, make_definition, make_user

STOP_LINK = re.compile(r"http://testserver(/comments/unsubscribe/([^/\s]+)/)")


@pytest.fixture(autouse=True)
def clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def charter(db):
    return make_definition(
        slug="charter",
        title="The Test Charter",
        versions={"1.0": [("scope", "Scope", "What this covers."), ("terms", "Terms", "Words we use.")]},
    )


def clause_text(key, label="1.0") -> ClauseText:
    return ClauseText.objects.select_related("version", "clause").get(
        version__definition__slug="charter", version__label=label, clause__key=key
    )


def emails_to(user) -> list:
    return [message for message in mail.outbox if user.email in message.to]


def stop_link(message) -> tuple[str, str]:
    """The stop link's path and token in an email."""
    match = STOP_LINK.search(message.body)
    assert match, f"no stop link in {message.subject!r}"
    return match.group(1), match.group(2)


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Post a comment (or a reply) from the browser, running what is queued on commit."""

    def post(user, body, *, key="scope", parent=None, quote=""):
        if parent is None:
            text = clause_text(key)
            url = reverse("comments:new", args=[text.version_id, key])
        else:
            url = reverse("comments:reply", args=[parent.pk])
        data = {"body": body, "token": str(uuid.uuid4()), "on_behalf_of": "", "quote": quote}
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(user).post(url, data)
        assert response.status_code == 302, response.content.decode()
        return Comment.objects.get(author=user, body=body)

    return post


def follow(user, key=None, action="follow"):
    data = {"action": action} | ({"clause": key} if key else {})
    response = client_for(user).post(reverse("comments:follow", args=["charter"]), data)
    assert response.status_code == 302
    return response


@pytest.fixture
def publish_version(django_capture_on_commit_callbacks, charter, steward):
    def publish_version(label="2.0"):
        draft = import_version(
            definition_slug="charter",
            label=label,
            text=document("The Test Charter", [("scope", "Scope", f"What version {label} covers.")]),
        ).version
        with django_capture_on_commit_callbacks(execute=True):
            publish_draft(
                draft=draft, by=steward, release_notes="", comments_close_at=None, close_previous=False
            )
        return draft

    return publish_version


# Receipts


def test_the_author_gets_a_receipt_with_the_tracking_number(charter, commenter, post):
    comment = post(commenter, "My first comment.")
    [receipt] = emails_to(commenter)
    assert comment.tracking_number in receipt.subject
    assert f"Tracking number: {comment.tracking_number}" in receipt.body
    assert f"http://testserver{reverse('comments:permalink', args=[comment.pk])}" in receipt.body
    assert "Scope" in receipt.body and "The Test Charter" in receipt.body


def test_nothing_is_sent_until_the_comment_is_committed(
    charter, commenter, django_capture_on_commit_callbacks
):
    text = clause_text("scope")
    data = {"body": "Queued.", "token": str(uuid.uuid4()), "on_behalf_of": "", "quote": ""}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(commenter).post(reverse("comments:new", args=[text.version_id, "scope"]), data)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(emails_to(commenter)) == 1


def test_someone_who_turned_receipts_off_gets_none(charter, commenter, post):
    Profile.objects.filter(user=commenter).update(email_receipts=False)
    post(commenter, "No receipt, please.")
    assert emails_to(commenter) == []


# Replies


def test_a_reply_emails_the_parents_author_and_not_the_replier(charter, commenter, post):
    replier = make_user()
    Profile.objects.filter(user=replier).update(display_name="Grace Hopper")
    parent = post(commenter, "A thought.")
    mail.outbox.clear()
    post(replier, "An answer.", parent=parent)
    [reply_email] = emails_to(commenter)
    assert reply_email.subject == "[Docket] Grace Hopper replied to your comment"
    assert "An answer." in reply_email.body
    # The replier hears only of their own receipt.
    assert [m.subject for m in emails_to(replier)] == [
        f"[Docket] Your comment {Comment.objects.get(body='An answer.').tracking_number} was received"
    ]


def test_replying_to_ones_own_comment_sends_no_reply_email(charter, commenter, post):
    parent = post(commenter, "A thought.")
    mail.outbox.clear()
    post(commenter, "A second thought.", parent=parent)
    assert ["was received" in m.subject for m in emails_to(commenter)] == [True]


def test_turning_reply_emails_off_in_settings_stops_them(charter, commenter, post):
    response = client_for(commenter).post(
        reverse("accounts:settings"), {"display_name": "Ada", "affiliation": "", "email_receipts": "on"}
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=commenter).email_on_reply is False
    parent = post(commenter, "A thought.")
    mail.outbox.clear()
    post(make_user(), "An answer.", parent=parent)
    assert emails_to(commenter) == []


# Following a clause


def test_following_a_clause_emails_the_follower_about_a_new_comment_there_but_not_the_author(
    charter, commenter, post
):
    follower = make_user()
    follow(follower, "scope")
    follow(commenter, "scope")  # the author follows too, and still hears nothing of their own
    assert Subscription.objects.filter(person=follower, clause__key="scope").exists()
    comment = post(commenter, "On the scope.")
    [email] = emails_to(follower)
    assert email.subject == "[Docket] New comment on “Scope”"
    assert "On the scope." in email.body
    assert f"http://testserver{comment.get_absolute_url()}" in email.body
    assert [m.subject for m in emails_to(commenter)] == [
        f"[Docket] Your comment {comment.tracking_number} was received"
    ]


def test_a_clause_follower_hears_nothing_of_comments_on_other_clauses(charter, commenter, post):
    follower = make_user()
    follow(follower, "scope")
    post(commenter, "On the terms.", key="terms")
    assert emails_to(follower) == []


def test_the_parents_author_who_also_follows_gets_one_email_not_two(charter, commenter, post):
    follow(commenter, "scope")
    follow(commenter)
    parent = post(commenter, "A thought.")
    mail.outbox.clear()
    post(make_user(), "An answer.", parent=parent)
    [email] = emails_to(commenter)
    assert "replied to your comment" in email.subject


def test_someone_following_the_clause_and_the_definition_gets_one_email_naming_the_clause(
    charter, commenter, post
):
    follower = make_user()
    follow(follower)
    follow(follower, "scope")
    post(commenter, "On the scope.")
    [email] = emails_to(follower)
    assert "which you follow:" in email.body
    assert "as part of the definition" not in email.body


# Following a definition


def test_following_a_definition_brings_emails_about_new_comments_on_any_clause(charter, commenter, post):
    follower = make_user()
    follow(follower)
    post(commenter, "On the terms.", key="terms")
    [email] = emails_to(follower)
    assert email.subject == "[Docket] New comment on “Terms”"
    assert "which you follow as part of the definition" in email.body


def test_following_a_definition_brings_an_email_about_a_new_version(charter, commenter, publish_version):
    follow(commenter)
    publish_version("2.0")
    [email] = emails_to(commenter)
    assert email.subject == "[Docket] The Test Charter: version 2.0 is published"
    assert f"http://testserver{reverse('definition:version', args=['charter', '2.0'])}" in email.body


def test_a_clause_follower_gets_no_new_version_email(charter, commenter, publish_version):
    follow(commenter, "scope")
    publish_version("2.0")
    assert emails_to(commenter) == []


# Stop links


def test_every_kind_of_email_has_a_link_that_stops_that_kind(charter, commenter, post, publish_version):
    definition_follower, clause_follower, replier = make_user(), make_user(), make_user()
    follow(definition_follower)
    follow(clause_follower, "scope")
    parent = post(commenter, "A thought.")
    post(replier, "An answer.", parent=parent)
    publish_version("2.0")
    kinds = {}
    for message in mail.outbox:
        path, token = stop_link(message)
        assert path == reverse("comments:unsubscribe", args=[token])
        data = notifications.read_unsubscribe_token(token)
        assert data["u"] == next(
            u.pk for u in (commenter, definition_follower, clause_follower, replier) if u.email in message.to
        )
        kinds.setdefault(data["k"], set()).add(message.to[0])
        assert f"To stop {notifications.KINDS[data['k']]}:" in message.body
    assert kinds == {
        "receipt": {commenter.email, replier.email},
        "reply": {commenter.email},
        "clause": {clause_follower.email},
        "definition-comments": {definition_follower.email},
        "definition-versions": {definition_follower.email},
    }


def test_opening_a_stop_link_asks_first_and_changes_nothing(charter, commenter, post):
    follower = make_user()
    follow(follower)
    post(commenter, "A thought.")
    path, _ = stop_link(emails_to(follower)[0])
    response = client_for(None).get(path)
    assert response.status_code == 200
    assert "Stop emails about new comments on this definition?" in response.content.decode()
    assert Subscription.objects.filter(person=follower, comments=True, versions=True).exists()


def test_stopping_new_comment_emails_of_a_definition_keeps_new_version_emails(
    charter, commenter, post, publish_version
):
    follower = make_user()
    follow(follower)
    post(commenter, "A thought.")
    path, _ = stop_link(emails_to(follower)[0])
    response = client_for(None).post(path)
    assert response.status_code == 200
    assert "You will no longer get emails about new comments on this definition." in response.content.decode()
    mail.outbox.clear()
    post(commenter, "Another thought.")
    assert emails_to(follower) == []
    publish_version("2.0")
    [email] = emails_to(follower)
    assert "version 2.0 is published" in email.subject


def test_stopping_new_version_emails_keeps_new_comment_emails(charter, commenter, post, publish_version):
    follower = make_user()
    follow(follower)
    publish_version("2.0")
    path, _ = stop_link(emails_to(follower)[0])
    client_for(None).post(path)
    mail.outbox.clear()
    post(commenter, "A thought on 1.0.")
    [email] = emails_to(follower)
    assert email.subject == "[Docket] New comment on “Scope”"


def test_stopping_both_kinds_of_a_definition_follow_ends_the_follow(
    charter, commenter, post, publish_version
):
    follower = make_user()
    follow(follower)
    post(commenter, "A thought.")
    publish_version("2.0")
    for message in emails_to(follower):
        client_for(None).post(stop_link(message)[0])
    assert not Subscription.objects.filter(person=follower).exists()


def test_stopping_reply_emails_through_the_link(charter, commenter, post):
    parent = post(commenter, "A thought.")
    post(make_user(), "An answer.", parent=parent)
    reply_email = next(m for m in emails_to(commenter) if "replied" in m.subject)
    client_for(None).post(stop_link(reply_email)[0])
    assert Profile.objects.get(user=commenter).email_on_reply is False
    assert Profile.objects.get(user=commenter).email_receipts is True
    mail.outbox.clear()
    post(make_user(), "Another answer.", parent=parent)
    assert emails_to(commenter) == []


def test_stopping_a_clause_follow_through_the_link(charter, commenter, post):
    follower = make_user()
    follow(follower, "scope")
    follow(follower, "terms")
    post(commenter, "On the scope.")
    client_for(None).post(stop_link(emails_to(follower)[0])[0])
    assert list(Subscription.objects.filter(person=follower).values_list("clause__key", flat=True)) == [
        "terms"
    ]
    mail.outbox.clear()
    post(commenter, "Again on the scope.")
    assert emails_to(follower) == []


def test_a_tampered_stop_link_gives_400_and_changes_nothing(charter, commenter, post):
    follower = make_user()
    follow(follower)
    post(commenter, "A thought.")
    _, token = stop_link(emails_to(follower)[0])
    # The follower's link rewritten to stop someone else's emails: the signature no longer matches.
    payload = token.split(":")[0]
    other = signing.dumps(
        {"u": commenter.pk, "k": "definition-comments", "t": charter.pk}, salt=notifications.UNSUBSCRIBE_SALT
    )
    forged = other.split(":")[0] + token[len(payload) :]
    assert forged != token
    for bad in (forged, token[:-1], "nonsense"):
        url = reverse("comments:unsubscribe", args=[bad])
        response = client_for(None).get(url)
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
        assert client_for(None).post(url).status_code == 400
    assert Subscription.objects.filter(person=follower, comments=True).exists()


def test_a_signed_token_of_an_unknown_kind_gives_400(db, commenter):
    token = signing.dumps({"u": commenter.pk, "k": "everything", "t": 0}, salt=notifications.UNSUBSCRIBE_SALT)
    assert client_for(None).get(reverse("comments:unsubscribe", args=[token])).status_code == 400


# Follow and unfollow


def test_unfollowing_a_clause_stops_its_emails(charter, commenter, post):
    follower = make_user()
    follow(follower, "scope")
    follow(follower, "scope", action="unfollow")
    assert not Subscription.objects.filter(person=follower).exists()
    post(commenter, "On the scope.")
    assert emails_to(follower) == []


def test_unfollowing_a_definition_stops_its_emails_and_keeps_clause_follows(charter, commenter, post):
    follower = make_user()
    follow(follower)
    follow(follower, "terms")
    follow(follower, action="unfollow")
    assert list(Subscription.objects.filter(person=follower).values_list("clause__key", flat=True)) == [
        "terms"
    ]
    post(commenter, "On the scope.")
    assert emails_to(follower) == []


def test_following_returns_to_the_page_it_was_asked_from(charter, commenter):
    back = reverse("definition:clause", args=["charter", "1.0", "scope"])
    response = client_for(commenter).post(
        reverse("comments:follow", args=["charter"]), {"clause": "scope", "next": back}
    )
    assert response.url == back
    response = client_for(commenter).post(
        reverse("comments:follow", args=["charter"]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("definition:latest", args=["charter"])


def test_the_clause_page_offers_follow_then_stop_following(charter, commenter):
    url = reverse("definition:clause", args=["charter", "1.0", "scope"])
    client = client_for(commenter)
    assert "Follow this clause" in client.get(url).content.decode()
    follow(commenter, "scope")
    html = client.get(url).content.decode()
    assert "Stop following this clause" in html
    assert "Follow The Test Charter" in html


def test_an_anonymous_follow_is_sent_to_sign_in(charter):
    response = client_for(None).post(reverse("comments:follow", args=["charter"]), {"clause": "scope"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Subscription.objects.exists()
