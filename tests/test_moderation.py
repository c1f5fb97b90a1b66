"""Moderation (issue 5): flags, the moderators' queue, hiding and restoring, locking threads,
suspending accounts, comments held for approval, the public log, and the append-only record."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from comments import actions as comment_actions
from comments.models import Comment, CommentRevision, Endorsement
from definition.models import ClauseText
from moderation import actions
from moderation.models import Disposition, Flag, ModerationAction
from tests.conftest import client_for, make_user

STOP_LINK = re.compile(r"http://testserver(/comments/unsubscribe/[^/\s]+/)")
HIDDEN_REASON = "Advertising a product."


@pytest.fixture
def version(demo_definition):
    return demo_definition.versions.get(label="1.0")


def clause_text(version, key="scope") -> ClauseText:
    return ClauseText.objects.select_related("version__definition", "clause").get(
        version=version, clause__key=key
    )


def post(author, version, body, *, key="scope", parent=None) -> Comment:
    """A comment (or reply) posted the way the site posts it."""
    return comment_actions.post_comment(
        author=author, clause_text=clause_text(version, key), body=body, token=uuid.uuid4(), parent=parent
    ).comment


def clause_page(client, version, key="scope") -> str:
    response = client.get(reverse("definition:clause", args=["charter", version.label, key]))
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def act(moderator, comment, action, reason="", status=302):
    response = client_for(moderator).post(
        reverse("moderation:act", args=[comment.pk, action]), {"reason": reason}
    )
    assert response.status_code == status
    comment.refresh_from_db()
    return response


def suspend(moderator, person, reason="Repeated spam."):
    response = client_for(moderator).post(
        reverse("moderation:suspension", args=[person.pk, "suspend"]), {"reason": reason}
    )
    assert response.status_code == 302
    return response


def flag(person, comment, reason="spam", note=""):
    return client_for(person).post(
        reverse("moderation:flag", args=[comment.pk]), {"reason": reason, "note": note}
    )


@pytest.fixture
def comment(commenter, version):
    return post(commenter, version, "Buy cheap garden gnomes at example.com!")


# Flags


def test_a_verified_person_can_flag_a_comment_with_a_reason_and_a_note(version, comment):
    reporter = make_user()
    response = flag(reporter, comment, reason="off-topic", note="Not about the charter.")
    assert response.status_code == 302
    assert response["Location"] == reverse("comments:permalink", args=[comment.pk])
    [stored] = Flag.objects.all()
    assert (stored.comment, stored.reporter, stored.reason, stored.note) == (
        comment,
        reporter,
        "off-topic",
        "Not about the charter.",
    )
    assert messages_of(response) == ["Thank you: moderators will look at it."]


def test_a_person_can_flag_a_comment_only_once_and_the_second_flag_is_refused_with_a_message(comment):
    reporter = make_user()
    flag(reporter, comment, reason="spam")
    response = flag(reporter, comment, reason="abuse", note="And rude too.")
    assert response.status_code == 302
    assert messages_of(response) == ["You have already flagged this comment; moderators will look at it."]
    [stored] = Flag.objects.all()
    assert (stored.reason, stored.note) == ("spam", "")


def test_a_person_cannot_flag_their_own_comment(commenter, comment):
    response = flag(commenter, comment)
    assert response.status_code == 403
    assert Flag.objects.count() == 0
    with pytest.raises(actions.ModerationError):
        actions.flag(comment=comment, reporter=commenter, reason="spam")
    assert Flag.objects.count() == 0


def test_an_invalid_flag_form_is_shown_again_with_400_and_stores_nothing(comment):
    response = flag(make_user(), comment, reason="because")
    assert response.status_code == 400
    assert Flag.objects.count() == 0


def test_moderators_are_emailed_of_a_new_flag_with_a_link_to_the_comment_and_a_stop_link(
    django_capture_on_commit_callbacks, comment, moderator, superuser, steward
):
    flagging_moderator = make_user(groups=["Moderators"])
    with django_capture_on_commit_callbacks(execute=True):
        flag(make_user(), comment, reason="spam", note="Selling gnomes.")
        flag(flagging_moderator, comment, reason="spam")
    recipients = sorted(address for message in mail.outbox for address in message.to)
    # Each moderator hears of each flag, except of the one they raised themselves.
    assert recipients == sorted(
        [moderator.email, moderator.email, superuser.email, superuser.email, flagging_moderator.email]
    )
    message = next(m for m in mail.outbox if moderator.email in m.to)
    assert comment.tracking_number in message.subject
    assert "Selling gnomes." in message.body
    assert "http://testserver" + reverse("moderation:comment", args=[comment.pk]) in message.body
    assert STOP_LINK.search(message.body)
    assert steward.email not in recipients


def test_a_moderators_stop_link_stops_flag_emails_only(
    django_capture_on_commit_callbacks, comment, moderator
):
    with django_capture_on_commit_callbacks(execute=True):
        flag(make_user(), comment)
    [message] = [m for m in mail.outbox if moderator.email in m.to]
    stop = STOP_LINK.search(message.body).group(1)
    assert client_for(None).post(stop).status_code == 200
    profile = Profile.objects.get(user=moderator)
    assert profile.email_on_flags is False
    assert (profile.email_on_reply, profile.email_receipts, profile.email_on_disposition) == (
        True,
        True,
        True,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        flag(make_user(), comment)
    assert [m for m in mail.outbox if moderator.email in m.to] == []


# The queue


def test_the_queue_lists_flagged_comments_oldest_flag_first(version, moderator):
    authors = [make_user() for _ in range(3)]
    first, second, third = (post(a, version, f"Comment {i}.") for i, a in enumerate(authors))
    now = timezone.now()
    # Flag ages, not comment ages, set the order.
    for target, minutes in ((first, 5), (second, 30), (third, 10)):
        Flag.objects.create(
            comment=target, reporter=make_user(), reason="spam", created_at=now - timedelta(minutes=minutes)
        )
    response = client_for(moderator).get(reverse("moderation:queue"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["comments"]] == [second.pk, third.pk, first.pk]
    html = response.content.decode()
    positions = [html.index(c.tracking_number) for c in (second, third, first)]
    assert positions == sorted(positions)


def test_the_queue_leaves_out_comments_nobody_flagged(version, moderator):
    flagged = post(make_user(), version, "Flagged.")
    Flag.objects.create(comment=flagged, reporter=make_user(), reason="spam")
    post(make_user(), version, "Nobody minds this one.")
    response = client_for(moderator).get(reverse("moderation:queue"))
    assert [c.pk for c in response.context["comments"]] == [flagged.pk]


def test_the_queue_shows_the_flags_and_the_authors_history(version, moderator, commenter):
    post(commenter, version, "An earlier comment.")
    hidden = post(commenter, version, "An earlier hidden one.")
    actions.hide(comment=hidden, actor=moderator, reason="Spam.")
    flagged = post(commenter, version, "The flagged one.")
    Flag.objects.create(comment=flagged, reporter=make_user(), reason="abuse", note="Rude to Sam.")
    html = client_for(moderator).get(reverse("moderation:queue")).content.decode()
    assert "The flagged one." in html
    assert "Abuse or harassment: “Rude to Sam.”" in html
    assert "author's record: 3 comments, 1 hidden, 1 flagged" in html


def test_a_comment_leaves_the_queue_when_its_flags_are_dismissed(comment, moderator):
    Flag.objects.create(comment=comment, reporter=make_user(), reason="spam")
    act(moderator, comment, "dismiss", "Not spam: a real question.")
    assert comment not in client_for(moderator).get(reverse("moderation:queue")).context["comments"]
    assert comment.is_visible
    assert Flag.objects.get().resolved_by == moderator


# Hiding and restoring


def test_hiding_requires_a_public_reason(comment, moderator):
    response = act(moderator, comment, "hide", "   ", status=400)  # shown next to the field
    assert "Give the public reason for hiding it." in response.content.decode()
    assert comment.status == Comment.Status.VISIBLE
    assert ModerationAction.objects.count() == 0


def test_hiding_a_comment_resolves_its_flags(comment, moderator):
    Flag.objects.create(comment=comment, reporter=make_user(), reason="spam")
    act(moderator, comment, "hide", HIDDEN_REASON)
    assert comment.status == Comment.Status.HIDDEN
    assert comment.status_reason == HIDDEN_REASON
    assert Flag.objects.get().resolved_by == moderator
    assert client_for(moderator).get(reverse("moderation:queue")).context["comments"] == []


def viewer(request, who):
    """A person who is neither the comment's author nor a moderator."""
    if who == "anonymous":
        return None
    if who == "someone else":
        return make_user()
    return request.getfixturevalue(who)


@pytest.mark.parametrize("who", ["anonymous", "someone else", "steward"])
def test_a_hidden_comment_shows_a_placeholder_with_the_reason_to_others(
    request, version, comment, moderator, who
):
    act(moderator, comment, "hide", HIDDEN_REASON)
    html = clause_page(client_for(viewer(request, who)), version)
    assert f"This comment was hidden by a moderator. Reason: {HIDDEN_REASON}" in html
    assert "garden gnomes" not in html


@pytest.mark.parametrize("who", ["author", "moderator"])
def test_a_hidden_comment_still_shows_its_text_to_its_author_and_moderators(
    version, comment, commenter, moderator, who
):
    act(moderator, comment, "hide", HIDDEN_REASON)
    html = clause_page(client_for(commenter if who == "author" else moderator), version)
    assert "Buy cheap garden gnomes" in html
    assert HIDDEN_REASON in html


def test_replies_to_a_hidden_comment_stay_visible(version, comment, moderator):
    reply = post(make_user(), version, "Please do not advertise here.", parent=comment)
    act(moderator, comment, "hide", HIDDEN_REASON)
    html = clause_page(client_for(None), version)
    assert "Please do not advertise here." in html
    reply.refresh_from_db()
    assert reply.is_visible


def test_restoring_a_hidden_comment_shows_it_to_everyone_again(version, comment, moderator):
    act(moderator, comment, "hide", HIDDEN_REASON)
    act(moderator, comment, "restore", "It was a real question.")
    assert comment.status == Comment.Status.VISIBLE
    assert comment.status_reason == ""
    html = clause_page(client_for(None), version)
    assert "Buy cheap garden gnomes" in html
    assert "hidden by a moderator" not in html


def test_only_a_hidden_comment_can_be_restored(comment, moderator):
    response = act(moderator, comment, "restore")
    assert messages_of(response) == ["Only a hidden comment can be restored."]
    assert ModerationAction.objects.count() == 0


# Locking threads


def test_a_locked_thread_takes_no_new_replies(version, comment, moderator):
    replier = make_user()
    earlier_reply = post(replier, version, "A reply before the lock.", parent=comment)
    act(moderator, comment, "lock", "Going in circles.")
    assert comment.locked_at is not None
    for parent in (comment, earlier_reply):
        with pytest.raises(comment_actions.CommentError, match="locked this thread"):
            post(replier, version, "One more thing.", parent=parent)
    response = client_for(replier).post(
        reverse("comments:reply", args=[comment.pk]),
        {"body": "Through the form.", "token": str(uuid.uuid4()), "on_behalf_of": ""},
    )
    assert response.status_code == 403
    assert Comment.objects.filter(parent__isnull=False).count() == 1


def test_locking_a_thread_takes_its_reply_links_away(version, comment, moderator):
    reply_url = reverse("comments:reply", args=[comment.pk])
    reader = client_for(make_user())
    assert reply_url in clause_page(reader, version)
    act(moderator, comment, "lock", "Going in circles.")
    html = clause_page(reader, version)
    assert reply_url not in html
    assert "Thread locked" in html


def test_locking_through_a_reply_locks_its_whole_thread(version, comment, moderator):
    reply = post(make_user(), version, "A reply.", parent=comment)
    act(moderator, reply, "lock", "Heated.")
    comment.refresh_from_db()
    reply.refresh_from_db()
    assert comment.locked_at is not None
    assert reply.locked_at is None  # the lock lives on the thread's first comment
    assert ModerationAction.objects.get().comment == comment


def test_unlocking_a_thread_lets_replies_in_again(version, comment, moderator):
    act(moderator, comment, "lock", "Heated.")
    act(moderator, comment, "unlock", "Calm again.")
    assert comment.locked_at is None
    reply = post(make_user(), version, "Now I can answer.", parent=comment)
    assert reply.parent == comment


# Suspending accounts


@pytest.fixture
def suspended(version, commenter, moderator):
    """The commenter, with a visible comment, suspended by a moderator."""
    post(commenter, version, "Written before the suspension.")
    suspend(moderator, commenter)
    return commenter


def writes() -> tuple:
    return (
        Comment.objects.count(),
        Endorsement.objects.count(),
        Flag.objects.count(),
        CommentRevision.objects.count(),
    )


def suspended_routes(version, other):
    """Every way a person posts, replies, endorses or flags: (method, url, data)."""
    token = str(uuid.uuid4())
    comment_form = {"body": "Spam after the suspension.", "token": token, "on_behalf_of": "", "quote": ""}
    return {
        "open the new-comment form": ("get", reverse("comments:new", args=[version.pk, "scope"]), {}),
        "post a comment": ("post", reverse("comments:new", args=[version.pk, "scope"]), comment_form),
        "open the reply form": ("get", reverse("comments:reply", args=[other.pk]), {}),
        "reply": ("post", reverse("comments:reply", args=[other.pk]), comment_form),
        "endorse": ("post", reverse("comments:endorse", args=[other.pk]), {"note": "Yes!"}),
        "open the flag form": ("get", reverse("moderation:flag", args=[other.pk]), {}),
        "flag": ("post", reverse("moderation:flag", args=[other.pk]), {"reason": "spam", "note": ""}),
    }


ROUTES = [
    "open the new-comment form",
    "post a comment",
    "open the reply form",
    "reply",
    "endorse",
    "open the flag form",
    "flag",
]


@pytest.mark.parametrize("route", ROUTES)
def test_a_suspended_person_cannot_post_reply_endorse_or_flag_through_any_view(version, suspended, route):
    other = post(make_user(), version, "Someone else's comment.")
    method, url, data = suspended_routes(version, other)[route]
    before = writes()
    response = getattr(client_for(suspended), method)(url, data)
    assert response.status_code == 403
    assert writes() == before


def test_a_suspended_person_cannot_rewrite_their_comments(version, suspended):
    own = Comment.objects.get(author=suspended)
    response = client_for(suspended).post(
        reverse("comments:edit", args=[own.pk]), {"body": "Now it is spam.", "on_behalf_of": "", "save": "1"}
    )
    own.refresh_from_db()
    assert response.status_code == 403
    assert own.body == "Written before the suspension."


def test_a_suspended_person_cannot_post_reply_endorse_or_flag_through_the_actions(version, suspended):
    other = post(make_user(), version, "Someone else's comment.")
    # As a request would load them: the fixture's object still holds the profile it was made with.
    suspended = type(suspended).objects.get(pk=suspended.pk)
    with pytest.raises(comment_actions.CommentError, match="suspended"):
        post(suspended, version, "Straight to the action.")
    with pytest.raises(comment_actions.CommentError, match="suspended"):
        post(suspended, version, "A reply.", parent=other)
    with pytest.raises(comment_actions.CommentError, match="suspended"):
        comment_actions.endorse(comment=other, person=suspended)
    with pytest.raises(actions.ModerationError, match="suspended"):
        actions.flag(comment=other, reporter=suspended, reason="spam")
    assert Comment.objects.filter(author=suspended).count() == 1


def test_a_suspended_persons_comments_stay_visible(version, suspended):
    own = Comment.objects.get(author=suspended)
    assert own.is_visible
    assert "Written before the suspension." in clause_page(client_for(None), version)


def test_suspending_requires_a_public_reason(commenter, moderator):
    response = client_for(moderator).post(
        reverse("moderation:suspension", args=[commenter.pk, "suspend"]), {"reason": ""}
    )
    assert messages_of(response) == ["Give the public reason for the suspension."]
    assert not Profile.objects.get(user=commenter).is_suspended


def test_a_moderator_cannot_suspend_themselves(moderator):
    response = client_for(moderator).post(
        reverse("moderation:suspension", args=[moderator.pk, "suspend"]), {"reason": "Testing."}
    )
    assert messages_of(response) == ["You cannot suspend yourself."]
    assert not Profile.objects.get(user=moderator).is_suspended


def test_lifting_a_suspension_lets_the_person_post_again(version, suspended, moderator):
    response = client_for(moderator).post(
        reverse("moderation:suspension", args=[suspended.pk, "unsuspend"]), {"reason": "Appeal upheld."}
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=suspended)
    assert (profile.suspended_at, profile.suspension_reason) == (None, "")
    assert post(suspended, version, "Back again.").is_visible


# Comments held for approval


@pytest.fixture
def hold_first(settings):
    settings.HOLD_FIRST_COMMENTS = 1


@pytest.fixture
def newcomer(db):
    return make_user()


def post_through_the_form(person, version, body):
    response = client_for(person).post(
        reverse("comments:new", args=[version.pk, "scope"]),
        {"body": body, "token": str(uuid.uuid4()), "on_behalf_of": "", "quote": ""},
    )
    assert response.status_code == 302
    return Comment.objects.get(author=person, body=body)


def test_a_new_persons_first_comment_is_held_when_the_site_says_so(hold_first, version, newcomer):
    held = post_through_the_form(newcomer, version, "My very first comment.")
    assert held.status == Comment.Status.HELD


def test_without_the_setting_a_first_comment_is_not_held(version, newcomer):
    assert post_through_the_form(newcomer, version, "My very first comment.").is_visible


@pytest.mark.parametrize("who", ["anonymous", "someone else", "steward"])
def test_a_held_comment_shows_a_placeholder_to_others(request, hold_first, version, newcomer, who):
    post_through_the_form(newcomer, version, "My very first comment.")
    html = clause_page(client_for(viewer(request, who)), version)
    assert "This comment is waiting for a moderator&#x27;s approval." in html
    assert "My very first comment." not in html


@pytest.mark.parametrize("who", ["author", "moderator"])
def test_a_held_comment_shows_its_text_to_its_author_and_moderators(
    hold_first, version, newcomer, moderator, who
):
    post_through_the_form(newcomer, version, "My very first comment.")
    html = clause_page(client_for(newcomer if who == "author" else moderator), version)
    assert "My very first comment." in html


def test_a_held_comment_waits_in_the_queue(hold_first, version, newcomer, moderator):
    held = post_through_the_form(newcomer, version, "My very first comment.")
    response = client_for(moderator).get(reverse("moderation:queue"))
    assert [c.pk for c in response.context["comments"]] == [held.pk]
    assert "Held for approval." in response.content.decode()


def test_approving_a_held_comment_makes_it_visible_and_the_persons_next_comment_is_not_held(
    hold_first, version, newcomer, moderator
):
    held = post_through_the_form(newcomer, version, "My very first comment.")
    act(moderator, held, "approve")
    assert held.is_visible
    assert "My very first comment." in clause_page(client_for(None), version)
    assert post_through_the_form(newcomer, version, "My second comment.").is_visible


def test_only_a_held_comment_can_be_approved(comment, moderator):
    response = act(moderator, comment, "approve")
    assert messages_of(response) == ["Only a comment held for approval can be approved."]
    assert ModerationAction.objects.count() == 0


# The public log


def do_every_action(version, moderator):
    """Each moderation action once, through the moderators' pages; returns kind -> reason."""
    author = make_user()
    target = post(author, version, "Target.")
    held = Comment.objects.create(
        clause=target.clause, version=version, author=make_user(), body="Held.", status=Comment.Status.HELD
    )
    Comment.objects.filter(pk=held.pk).update(root=held)
    reasons = {
        "hide": "Spam link.",
        "restore": "The link was legitimate.",
        "dismiss": "Not off-topic.",
        "lock": "Going in circles.",
        "unlock": "Calm again.",
    }
    for action, reason in reasons.items():
        act(moderator, target, action, reason)
    act(moderator, held, "approve")
    suspend(moderator, author, "Repeated abuse.")
    client_for(moderator).post(
        reverse("moderation:suspension", args=[author.pk, "unsuspend"]), {"reason": "Appeal upheld."}
    )
    return {**reasons, "approve": "", "suspend": "Repeated abuse.", "unsuspend": "Appeal upheld."}


def test_the_public_log_lists_every_action_with_its_public_reason(version, moderator):
    reasons = do_every_action(version, moderator)
    assert set(reasons) == set(ModerationAction.Kind.values)
    response = client_for(None).get(reverse("moderation:log"))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ModerationAction.Kind:
        assert f"A moderator {kind.label}" in html
    for reason in reasons.values():
        assert reason in html.replace("&#x27;", "'")
    assert len(response.context["page"]) == len(ModerationAction.Kind)


def test_the_public_log_does_not_name_the_moderator(version):
    moderator = make_user(groups=["Moderators"], email="morgan.mod@example.org")
    Profile.objects.filter(user=moderator).update(display_name="Morgan Moderator")
    do_every_action(version, moderator)
    html = client_for(None).get(reverse("moderation:log")).content.decode()
    assert "Morgan Moderator" not in html
    assert "morgan.mod@example.org" not in html
    assert moderator.username not in html


# The record: who and when, append-only


def test_every_moderation_action_records_its_actor_and_time(version, moderator):
    start = timezone.now()
    do_every_action(version, moderator)
    end = timezone.now()
    logged = list(ModerationAction.objects.all())
    assert sorted(a.kind for a in logged) == sorted(ModerationAction.Kind.values)
    for entry in logged:
        assert entry.actor == moderator
        assert start <= entry.created_at <= end


def test_each_log_entry_names_what_it_acted_on(version, moderator):
    do_every_action(version, moderator)
    for entry in ModerationAction.objects.all():
        if entry.kind in ("suspend", "unsuspend"):
            assert (entry.comment, entry.person is not None) == (None, True)
        else:
            assert (entry.comment is not None, entry.person) == (True, None)


@pytest.fixture
def logged(comment, moderator) -> ModerationAction:
    actions.hide(comment=comment, actor=moderator, reason="Spam.")
    return ModerationAction.objects.get()


@pytest.fixture
def decided(comment, steward) -> Disposition:
    return actions.record_disposition(comment=comment, by=steward, status="noted", rationale="Thanks.")


def test_a_stored_moderation_action_cannot_be_changed(logged):
    logged.reason = "A kinder reason, after the fact."
    with pytest.raises(PermissionError):
        logged.save()
    with pytest.raises(PermissionError):
        ModerationAction.objects.filter(pk=logged.pk).update(reason="Rewritten.")
    assert ModerationAction.objects.get().reason == "Spam."


def test_a_stored_moderation_action_cannot_be_deleted(logged):
    with pytest.raises(PermissionError):
        logged.delete()
    with pytest.raises(PermissionError):
        ModerationAction.objects.all().delete()
    assert ModerationAction.objects.count() == 1


def test_a_stored_disposition_cannot_be_changed(decided):
    decided.status = "accepted"
    decided.rationale = "Rewritten history."
    with pytest.raises(PermissionError):
        decided.save()
    with pytest.raises(PermissionError):
        Disposition.objects.filter(pk=decided.pk).update(status="declined")
    with pytest.raises(PermissionError):
        Disposition.objects.filter(pk=decided.pk).update(status="declined", is_current=False)
    stored = Disposition.objects.get()
    assert (stored.status, stored.rationale, stored.is_current) == ("noted", "Thanks.", True)


def test_a_stored_disposition_cannot_be_deleted(decided):
    with pytest.raises(PermissionError):
        decided.delete()
    with pytest.raises(PermissionError):
        Disposition.objects.all().delete()
    assert Disposition.objects.count() == 1


def test_a_newer_disposition_may_only_take_over_as_current(decided):
    # The one change the record allows, which recording a newer disposition makes.
    assert Disposition.objects.filter(pk=decided.pk).update(is_current=False) == 1
    assert Disposition.objects.get().is_current is False


def test_the_reply_page_of_a_locked_thread_shows_no_form(db, commenter, moderator):
    from comments.models import Comment
    from moderation import actions as moderation_actions
    from tests.conftest import client_for, make_definition

    definition = make_definition(slug="locked")
    version = definition.versions.get()
    root = Comment.objects.create(
        clause=definition.clauses.first(), version=version, author=moderator, body="Hi."
    )
    Comment.objects.filter(pk=root.pk).update(root=root)
    root.refresh_from_db()
    moderation_actions.set_lock(comment=root, actor=moderator, locked=True, reason="Heated.")
    response = client_for(commenter).get(reverse("comments:reply", args=[root.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "locked this thread" in html
    assert 'name="body"' not in html
    assert "Docket" in html and 'href="#main_content"' in html  # the site's own 403 page


def test_hiding_without_a_reason_is_refused_next_to_the_reason_field(db, commenter, moderator):
    from comments.models import Comment
    from tests.conftest import client_for, make_comment, make_definition

    definition = make_definition(slug="noreason")
    comment = make_comment(commenter, definition.versions.get(), key="scope")
    response = client_for(moderator).post(
        reverse("moderation:act", args=[comment.pk, "hide"]), {"reason": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_reason_error"' in html and "public reason" in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
