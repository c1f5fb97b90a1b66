"""Who may do what to a comment (issue 4): only its author edits or withdraws it; only a signed-in
person with a verified email posts, replies or endorses; forged POSTs change nothing; nothing is
ever hard-deleted; every write needs a CSRF token."""

import uuid

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from comments import actions
from comments.models import Comment, CommentRevision, Endorsement
from definition.models import ClauseText
from tests.conftest import client_for, make_user

WITHDRAWN = "This comment was withdrawn by its author."


def version_of(definition, label="1.0"):
    return definition.versions.get(label=label)


def clause_url(version, key) -> str:
    return reverse("definition:clause", args=[version.definition.slug, version.label, key])


def post_directly(author, version, key="scope", body="A first comment.", parent=None):
    clause_text = ClauseText.objects.select_related("version").get(version=version, clause__key=key)
    return actions.post_comment(
        author=author, clause_text=clause_text, body=body, token=uuid.uuid4(), parent=parent
    ).comment


def comment_form(body="Posted through the form.", **extra):
    return {"body": body, "quote": "", "on_behalf_of": "", "token": str(uuid.uuid4()), "post": "1", **extra}


def snapshot(comment) -> tuple:
    """Everything a forged request could change about a comment."""
    comment.refresh_from_db()
    return (
        comment.body,
        comment.body_html,
        comment.on_behalf_of,
        comment.status,
        comment.edited_at,
        CommentRevision.objects.filter(comment=comment).count(),
    )


@pytest.fixture
def version(demo_definition):
    return version_of(demo_definition)


@pytest.fixture
def comment(commenter, version):
    return post_directly(commenter, version, body="The author's own words.")


# Only the author edits or withdraws


OTHERS = ["another_commenter", "steward", "moderator", "superuser"]


@pytest.fixture
def another_commenter(db):
    return make_user()


@pytest.mark.parametrize("who", OTHERS)
@pytest.mark.parametrize("action", ["comments:edit", "comments:withdraw"])
def test_only_the_author_can_open_the_edit_or_withdraw_page(request, who, action, comment):
    before = snapshot(comment)
    response = client_for(request.getfixturevalue(who)).get(reverse(action, args=[comment.pk]))
    assert response.status_code == 403
    assert snapshot(comment) == before


@pytest.mark.parametrize("who", OTHERS)
@pytest.mark.parametrize("action", ["comments:edit", "comments:withdraw"])
def test_a_forged_edit_or_withdraw_post_from_anyone_but_the_author_changes_nothing(
    request, who, action, comment
):
    before = snapshot(comment)
    response = client_for(request.getfixturevalue(who)).post(
        reverse(action, args=[comment.pk]),
        {"body": "Words put in the author's mouth.", "on_behalf_of": "Someone else", "save": "1"},
    )
    assert response.status_code == 403
    assert snapshot(comment) == before
    assert comment.body == "The author's own words."


@pytest.mark.parametrize("action", ["comments:edit", "comments:withdraw"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(reader, action, method, comment):
    before = snapshot(comment)
    url = reverse(action, args=[comment.pk])
    response = getattr(reader, method)(
        url, {"body": "Anonymous words.", "save": "1"} if method == "post" else {}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    assert snapshot(comment) == before


def test_the_author_can_edit_their_comment_and_the_earlier_text_is_kept(commenter, comment):
    response = client_for(commenter).post(
        reverse("comments:edit", args=[comment.pk]),
        {"body": "The author's better words.", "on_behalf_of": "", "save": "1"},
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "The author's better words."
    assert comment.edited_at is not None
    assert list(comment.revisions.values_list("body", flat=True)) == ["The author's own words."]


def test_the_author_can_withdraw_their_comment(commenter, comment):
    response = client_for(commenter).post(reverse("comments:withdraw", args=[comment.pk]))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.WITHDRAWN


def test_a_withdrawn_comment_cannot_be_edited_even_by_its_author(commenter, comment):
    author = client_for(commenter)
    author.post(reverse("comments:withdraw", args=[comment.pk]))
    before = snapshot(comment)
    response = author.post(
        reverse("comments:edit", args=[comment.pk]), {"body": "Back again.", "on_behalf_of": "", "save": "1"}
    )
    assert response.status_code == 403
    assert snapshot(comment) == before


# Unverified and anonymous people cannot post, reply or endorse


def test_an_unverified_person_cannot_post_a_comment_and_is_told_to_verify(unverified, version):
    response = client_for(unverified).post(
        reverse("comments:new", args=[version.pk, "scope"]), comment_form()
    )
    assert response.status_code == 403
    assert "your email address must be verified" in response.content.decode()
    assert not Comment.objects.exists()


def test_an_unverified_person_is_told_to_verify_when_opening_the_comment_form(unverified, version):
    response = client_for(unverified).get(reverse("comments:new", args=[version.pk, "scope"]))
    assert response.status_code == 403
    assert "Please verify your email address" in response.content.decode()


def test_an_unverified_person_cannot_reply(unverified, comment):
    response = client_for(unverified).post(reverse("comments:reply", args=[comment.pk]), comment_form())
    assert response.status_code == 403
    assert "your email address must be verified" in response.content.decode()
    assert Comment.objects.count() == 1


def test_an_unverified_person_cannot_endorse(unverified, comment):
    response = client_for(unverified).post(reverse("comments:endorse", args=[comment.pk]), {"note": "Yes."})
    assert response.status_code == 403
    assert "your email address must be verified" in response.content.decode()
    assert not Endorsement.objects.exists()


def test_an_anonymous_visitor_cannot_post_a_comment(reader, version):
    response = reader.post(reverse("comments:new", args=[version.pk, "scope"]), comment_form())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Comment.objects.exists()


def test_an_anonymous_visitor_cannot_reply(reader, comment):
    response = reader.post(reverse("comments:reply", args=[comment.pk]), comment_form())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Comment.objects.count() == 1


def test_an_anonymous_visitor_cannot_endorse(reader, comment):
    response = reader.post(reverse("comments:endorse", args=[comment.pk]), {"note": "Yes."})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Endorsement.objects.exists()


def test_an_anonymous_visitor_gets_no_live_preview(reader):
    assert reader.post(reverse("comments:preview"), {"body": "*hello*"}).status_code == 403


def test_the_clause_page_asks_an_anonymous_visitor_to_sign_in_instead_of_showing_the_form(reader, version):
    html = reader.get(clause_url(version, "scope")).content.decode()
    assert 'id="comment-form"' not in html
    assert "to comment." in html and "Sign in</a> or" in html


def test_the_clause_page_asks_an_unverified_person_to_verify_instead_of_showing_the_form(unverified, version):
    html = client_for(unverified).get(clause_url(version, "scope")).content.decode()
    assert 'id="comment-form"' not in html
    assert "Please verify your email address before commenting" in html


def test_the_clause_page_shows_a_verified_person_the_form(commenter, version):
    html = client_for(commenter).get(clause_url(version, "scope")).content.decode()
    assert 'id="comment-form"' in html


# Forged POSTs


def test_a_reply_cannot_be_attached_to_a_comment_on_another_clause(commenter, another_commenter, version):
    elsewhere = post_directly(another_commenter, version, key="members")
    with pytest.raises(actions.CommentError, match="same clause and version"):
        post_directly(commenter, version, key="scope", parent=elsewhere)
    assert Comment.objects.count() == 1


def test_a_reply_cannot_be_attached_to_a_comment_on_another_version(
    commenter, another_commenter, demo_definition
):
    earlier = post_directly(another_commenter, version_of(demo_definition, "0.2"), key="scope")
    with pytest.raises(actions.CommentError, match="same clause and version"):
        post_directly(commenter, version_of(demo_definition, "1.0"), key="scope", parent=earlier)
    assert Comment.objects.count() == 1


def test_a_forged_parent_field_on_the_new_comment_form_does_not_make_a_reply(
    commenter, another_commenter, version
):
    elsewhere = post_directly(another_commenter, version, key="members")
    form = comment_form(parent=str(elsewhere.pk), root=str(elsewhere.pk))
    response = client_for(commenter).post(reverse("comments:new", args=[version.pk, "scope"]), form)
    assert response.status_code == 302
    posted = Comment.objects.get(token=form["token"])
    assert posted.parent_id is None
    assert posted.root_id == posted.pk
    assert posted.clause.key == "scope"
    assert elsewhere.replies.count() == 0


def test_a_reply_goes_to_the_clause_and_version_of_the_comment_it_answers(
    commenter, another_commenter, demo_definition
):
    earlier = post_directly(another_commenter, version_of(demo_definition, "0.2"), key="members")
    form = comment_form(body="A reply.")
    response = client_for(commenter).post(reverse("comments:reply", args=[earlier.pk]), form)
    assert response.status_code == 302
    reply = Comment.objects.get(token=form["token"])
    assert (reply.parent_id, reply.root_id, reply.clause_id, reply.version_id) == (
        earlier.pk,
        earlier.pk,
        earlier.clause_id,
        earlier.version_id,
    )


def test_a_withdrawn_comment_takes_no_new_replies(commenter, another_commenter, comment):
    client_for(commenter).post(reverse("comments:withdraw", args=[comment.pk]))
    response = client_for(another_commenter).post(
        reverse("comments:reply", args=[comment.pk]), comment_form()
    )
    assert response.status_code == 403
    assert Comment.objects.count() == 1


def test_endorsing_ones_own_comment_is_refused(commenter, comment):
    response = client_for(commenter).post(
        reverse("comments:endorse", args=[comment.pk]), {"note": "Me too."}, follow=True
    )
    assert "You cannot endorse your own comment." in response.content.decode()
    assert not Endorsement.objects.exists()


def test_endorsing_twice_keeps_one_endorsement_with_the_latest_note(another_commenter, comment):
    endorser = client_for(another_commenter)
    url = reverse("comments:endorse", args=[comment.pk])
    assert endorser.post(url, {"note": "Agreed."}).status_code == 302
    assert endorser.post(url, {"note": "Agreed, and also this."}).status_code == 302
    assert Endorsement.objects.filter(comment=comment).count() == 1
    assert Endorsement.objects.get(comment=comment).note == "Agreed, and also this."


def test_withdrawing_another_persons_endorsement_is_not_possible(another_commenter, comment):
    endorser = make_user()
    client_for(endorser).post(reverse("comments:endorse", args=[comment.pk]), {"note": "Yes."})
    client_for(another_commenter).post(reverse("comments:unendorse", args=[comment.pk]))
    assert Endorsement.objects.filter(comment=comment, person=endorser).count() == 1


# Withdrawing keeps replies; nothing is hard-deleted


def test_withdrawing_keeps_the_replies_visible_and_shows_a_placeholder(
    commenter, another_commenter, comment, version, reader
):
    reply = post_directly(another_commenter, version, parent=comment, body="A reply that stays.")
    client_for(commenter).post(reverse("comments:withdraw", args=[comment.pk]))
    html = reader.get(clause_url(version, "scope")).content.decode()
    assert WITHDRAWN in html
    assert "The author&#x27;s own words." not in html and "The author's own words." not in html
    assert f'id="comment-{comment.pk}"' in html
    assert f'id="comment-{reply.pk}"' in html
    assert "A reply that stays." in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.WITHDRAWN
    assert comment.body == "The author's own words."  # kept, only not shown


def _all_url_patterns(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            yield from _all_url_patterns(pattern, prefix + namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + (pattern.name or ""), str(pattern.pattern), pattern.callback


def test_no_url_deletes_a_comment():
    comment_urls = [
        (name, route)
        for name, route, callback in _all_url_patterns()
        if callback.__module__.startswith("comments.")
    ]
    assert comment_urls  # the walk found the comment views
    assert [(n, r) for n, r in comment_urls if "delete" in n.lower() or "delete" in r.lower()] == []


def test_the_admin_cannot_delete_a_comment(superuser):
    model_admin = admin.site._registry.get(Comment)
    if model_admin is None:
        return  # not in the admin at all: nothing to delete it with
    request = RequestFactory().get("/")
    request.user = superuser
    assert not model_admin.has_delete_permission(request)


def test_the_comment_count_never_decreases_across_every_action(commenter, another_commenter, version, reader):
    author, other = client_for(commenter), client_for(another_commenter)
    counts = [Comment.objects.count()]

    def step(response):
        assert response.status_code in (200, 302), response.status_code
        counts.append(Comment.objects.count())

    step(author.post(reverse("comments:new", args=[version.pk, "scope"]), comment_form("First.")))
    first = Comment.objects.get(body="First.")
    step(other.post(reverse("comments:reply", args=[first.pk]), comment_form("A reply.")))
    reply = Comment.objects.get(body="A reply.")
    step(other.post(reverse("comments:endorse", args=[first.pk]), {"note": "Yes."}))
    step(other.post(reverse("comments:unendorse", args=[first.pk])))
    step(author.post(reverse("comments:edit", args=[first.pk]), {"body": "First, edited.", "save": "1"}))
    step(author.post(reverse("comments:withdraw", args=[first.pk])))
    step(other.post(reverse("comments:withdraw", args=[reply.pk])))
    step(author.post(reverse("comments:follow", args=[version.definition.slug]), {"clause": "scope"}))
    step(reader.get(reverse("comments:permalink", args=[first.pk])))
    step(reader.get(clause_url(version, "scope")))
    assert counts == sorted(counts)
    assert counts[-1] == 2
    assert Comment.objects.get(pk=first.pk).body == "First, edited."
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.WITHDRAWN}


# CSRF


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_comment_post_without_a_csrf_token_is_refused(commenter, version):
    response = csrf_client(commenter).post(
        reverse("comments:new", args=[version.pk, "scope"]), comment_form()
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_reply_without_a_csrf_token_is_refused(another_commenter, comment):
    response = csrf_client(another_commenter).post(
        reverse("comments:reply", args=[comment.pk]), comment_form()
    )
    assert response.status_code == 403
    assert Comment.objects.count() == 1


def test_an_edit_or_withdrawal_without_a_csrf_token_is_refused(commenter, comment):
    client = csrf_client(commenter)
    before = snapshot(comment)
    edit = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "Forged.", "save": "1"})
    withdraw = client.post(reverse("comments:withdraw", args=[comment.pk]))
    assert (edit.status_code, withdraw.status_code) == (403, 403)
    assert snapshot(comment) == before


def test_an_endorsement_without_a_csrf_token_is_refused(another_commenter, comment):
    response = csrf_client(another_commenter).post(
        reverse("comments:endorse", args=[comment.pk]), {"note": ""}
    )
    assert response.status_code == 403
    assert not Endorsement.objects.exists()


def test_a_comment_post_with_the_pages_csrf_token_is_accepted(commenter, version):
    client = csrf_client(commenter)
    page = client.get(clause_url(version, "scope"))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("comments:new", args=[version.pk, "scope"]),
        {**comment_form(), "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302
    assert Comment.objects.count() == 1
