"""Who may use the moderation and disposition pages: a matrix of every such URL, GET and POST,
against every role (issue 5).

Moderators' pages let moderators and superusers through; the stewards' disposition pages let
stewards and superusers through; anyone else signed in gets 403 and an anonymous visitor is sent
to sign in. Flagging is for any verified person who is not suspended and did not write the
comment; answering a disposition is for the comment's author alone; the record pages are public.
A refused request changes nothing: the database fingerprint before and after is equal. Every POST
carries a realistic, valid payload, and the permitted rows show that it does change the
fingerprint, so a refusal that "changes nothing" means something.
"""

from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from accounts.models import Profile
from comments.models import Comment
from definition import drafting
from definition.models import ClauseText, Version
from moderation import steward_urls, steward_views
from moderation import urls as moderation_urls
from moderation import views as moderation_views
from moderation.actions import record_disposition
from moderation.models import Disposition, DispositionResponse, DraftLink, Flag, ModerationAction
from tests.conftest import client_for, make_comment, make_definition, make_user

SLUG = "charter"  # published 0.9 and 1.0, and draft 1.1
ROLES = ["anonymous", "unverified", "commenter", "moderator", "steward", "superuser"]


@pytest.fixture
def world(db):
    owner = make_user(groups=["Stewards"])
    author = make_user()
    flagger = make_user()
    charter = make_definition(
        slug=SLUG,
        versions={
            "0.9": [("scope", "Scope", "What this covers."), ("terms", "Terms", "Words.")],
            "1.0": [("scope", "Scope", "What this covers, and more."), ("terms", "Terms", "Words.")],
        },
    )
    version = charter.versions.get(label="1.0")
    draft = drafting.start_draft(definition=charter, label="1.1", by=owner)
    flagged = make_comment(author, version, body="Open, flagged and undecided.")
    Flag.objects.create(comment=flagged, reporter=flagger, reason=Flag.Reason.SPAM)
    hidden = make_comment(
        author, version, body="Hidden.", status=Comment.Status.HIDDEN, status_reason="Spam."
    )
    held = make_comment(author, version, body="Held for approval.", status=Comment.Status.HELD)
    locked = make_comment(author, version, key="terms", body="Locked thread.", locked_at=timezone.now())
    decided = make_comment(author, version, key="terms", body="Already decided.")
    disposition = record_disposition(comment=decided, by=owner, status="noted", rationale="Thanks.")
    suspended = make_user()
    Profile.objects.filter(user=suspended).update(suspended_at=timezone.now(), suspension_reason="Spam.")
    return SimpleNamespace(
        owner=owner,
        author=author,
        flagger=flagger,
        charter=charter,
        version=version,
        draft=draft,
        flagged=flagged,
        hidden=hidden,
        held=held,
        locked=locked,
        decided=decided,
        disposition=disposition,
        suspended=suspended,
    )


def fingerprint():
    """Everything a moderation or disposition URL could change, in a form that compares with ==."""
    return {
        "comments": list(
            Comment.objects.order_by("pk").values_list("pk", "status", "status_reason", "locked_at")
        ),
        "flags": list(
            Flag.objects.order_by("pk").values_list(
                "comment_id", "reporter_id", "reason", "note", "resolved_at", "resolved_by_id"
            )
        ),
        "moderation_actions": ModerationAction.objects.count(),
        "dispositions": list(
            Disposition.objects.order_by("pk").values_list("comment_id", "status", "is_current")
        ),
        "responses": list(
            DispositionResponse.objects.order_by("pk").values_list(
                "disposition_id", "author_id", "verdict", "note"
            )
        ),
        "suspensions": list(Profile.objects.order_by("pk").values_list("user_id", "suspended_at")),
        "draft_links": list(
            DraftLink.objects.order_by("pk").values_list("version_id", "comment_id", "clause_id", "partial")
        ),
        # The overridden publish and edit-clause pages write versions and clause texts.
        "versions": list(Version.objects.order_by("pk").values_list("label", "status", "comments_close_at")),
        "texts": list(ClauseText.objects.order_by("pk").values_list("version_id", "heading", "body")),
    }


# Each endpoint: how to build its URL and POST payload from the world, who it is for, and what a
# person it is for gets from GET and POST, and whether their POST writes.
#   audience: "moderators", "stewards", "public", "flag" (verified, not suspended, not the
#   author) or "respond" (the comment's author only).


def _act(action, target):
    return lambda w: reverse("moderation:act", args=[getattr(w, target).pk, action])


ENDPOINTS = {
    "moderation:queue": dict(
        audience="moderators", url=lambda w: reverse("moderation:queue"), get=200, post=200, writes=False
    ),
    "moderation:log": dict(
        audience="public", url=lambda w: reverse("moderation:log"), get=200, post=405, writes=False
    ),
    "moderation:comment": dict(
        audience="moderators",
        url=lambda w: reverse("moderation:comment", args=[w.flagged.pk]),
        get=200,
        post=200,  # the page's buttons post to moderation:act; a POST here only shows the page
        writes=False,
    ),
    "moderation:act hide": dict(
        audience="moderators",
        url=_act("hide", "flagged"),
        payload=lambda w: {"reason": "Advertising.", "comment": w.flagged.pk},
        get=405,
        post=302,
        writes=True,
    ),
    "moderation:act restore": dict(
        audience="moderators",
        url=_act("restore", "hidden"),
        payload=lambda w: {"reason": "It was not spam after all."},
        get=405,
        post=302,
        writes=True,
    ),
    "moderation:act approve": dict(
        audience="moderators",
        url=_act("approve", "held"),
        payload=lambda w: {},
        get=405,
        post=302,
        writes=True,
    ),
    "moderation:act dismiss": dict(
        audience="moderators",
        url=_act("dismiss", "flagged"),
        payload=lambda w: {"reason": "Not spam."},
        get=405,
        post=302,
        writes=True,
    ),
    "moderation:act lock": dict(
        audience="moderators",
        url=_act("lock", "flagged"),
        payload=lambda w: {"reason": "Going in circles."},
        get=405,
        post=302,
        writes=True,
    ),
    "moderation:act unlock": dict(
        audience="moderators",
        url=_act("unlock", "locked"),
        payload=lambda w: {"reason": "Cooled down."},
        get=405,
        post=302,
        writes=True,
    ),
    "moderation:suspension suspend": dict(
        audience="moderators",
        url=lambda w: reverse("moderation:suspension", args=[w.author.pk, "suspend"]),
        payload=lambda w: {"reason": "Repeated spam.", "comment": w.flagged.pk},
        get=405,
        post=302,
        writes=True,
    ),
    "moderation:suspension unsuspend": dict(
        audience="moderators",
        url=lambda w: reverse("moderation:suspension", args=[w.suspended.pk, "unsuspend"]),
        payload=lambda w: {"reason": "Appeal upheld."},
        get=405,
        post=302,
        writes=True,
    ),
    "moderation:flag": dict(
        audience="flag",
        url=lambda w: reverse("moderation:flag", args=[w.flagged.pk]),
        payload=lambda w: {"reason": "abuse", "note": "Rude to another commenter."},
        get=200,
        post=302,
        writes=True,
    ),
    "moderation_stewards:disposition": dict(
        audience="stewards",
        url=lambda w: reverse("moderation_stewards:disposition", args=[w.flagged.pk]),
        payload=lambda w: {"status": "declined", "rationale": "Out of scope for **this** charter."},
        get=200,
        post=302,
        writes=True,
    ),
    "moderation_stewards:triage": dict(
        audience="stewards",
        url=lambda w: reverse("moderation_stewards:triage", args=[SLUG, "1.0"]),
        get=200,
        post=200,  # a filter page: a POST only shows it
        writes=False,
    ),
    "moderation_stewards:external": dict(
        audience="stewards",
        url=lambda w: reverse("moderation_stewards:external", args=[SLUG, "1.0", "scope"]),
        payload=lambda w: {
            "external_author": "Allotment Society",
            "source": "town-hall call of 3 May",
            "source_url": "https://example.org/minutes",
            "quote": "",
            "body": "Orchards should be covered too.",
        },
        get=200,
        post=302,
        writes=True,
    ),
    "moderation_stewards:draft_link": dict(
        audience="stewards",
        url=lambda w: reverse("moderation_stewards:draft_link", args=[SLUG, "scope"]),
        payload=lambda w: {"comment": w.flagged.pk, "drove": "accepted"},
        get=405,
        post=302,
        writes=True,
    ),
    "stewards:publish": dict(
        audience="stewards",
        url=lambda w: reverse("stewards:publish", args=[SLUG]),
        payload=lambda w: {
            "release_notes": "Scope widened.",
            "comments_close_at": "",
            "close_previous": "on",
            f"drove_{w.flagged.pk}_scope": "accepted",
        },
        get=200,
        post=302,
        writes=True,
    ),
    "stewards:edit_clause": dict(
        audience="stewards",
        url=lambda w: reverse("stewards:edit_clause", args=[SLUG, "scope"]),
        payload=lambda w: {
            "key": "scope",
            "heading": "Scope",
            "level": "2",
            "body": "What this covers, now with orchards.",
            "revision": "1",
        },
        get=200,
        post=302,
        writes=True,
    ),
    "respond": dict(
        audience="respond",
        url=lambda w: reverse("respond", args=[w.disposition.pk]),
        payload=lambda w: {"verdict": "objects", "note": "Orchards matter."},
        get=405,
        post=302,
        writes=True,
    ),
    "record:changes": dict(
        audience="public",
        url=lambda w: reverse("record:changes", args=[SLUG, "1.0"]),
        get=200,
        post=405,  # a page that only reads
        writes=False,
    ),
    "record:dispositions": dict(
        audience="public",
        url=lambda w: reverse("record:dispositions", args=[SLUG, "1.0"]),
        get=200,
        post=405,  # a page that only reads
        writes=False,
    ),
    "record:dispositions csv": dict(
        audience="public",
        url=lambda w: reverse("record:dispositions", args=[SLUG, "1.0"]) + "?format=csv",
        get=200,
        post=405,  # a page that only reads
        writes=False,
    ),
    "record:dispositions json": dict(
        audience="public",
        url=lambda w: reverse("record:dispositions", args=[SLUG, "1.0"]) + "?format=json",
        get=200,
        post=405,  # a page that only reads
        writes=False,
    ),
}

# Who a signed-in person must be for each audience.
LET_THROUGH = {
    "moderators": {"moderator", "superuser"},
    "stewards": {"steward", "superuser"},
    "public": set(ROLES),
    "flag": {"commenter", "moderator", "steward", "superuser"},
    "respond": set(),  # only the comment's author, who is none of the personas
}


def expected(endpoint: str, role: str, method: str) -> str:
    """What `role` gets from `method` on `endpoint`: "through", "login", 403 or 405."""
    spec = ENDPOINTS[endpoint]
    if method == "GET" and spec["get"] == 405:
        return "405"  # POST-only: the method is refused before anyone is looked at
    if role in LET_THROUGH[spec["audience"]]:
        return "through"
    if role == "anonymous":
        return "login"
    return "403"


def client_as(request, role) -> Client:
    return Client() if role == "anonymous" else client_for(request.getfixturevalue(role))


def send(client, method, endpoint, world):
    spec = ENDPOINTS[endpoint]
    url = spec["url"](world)
    if method == "GET":
        return client.get(url)
    return client.post(url, spec.get("payload", lambda w: {})(world))


MATRIX = [
    pytest.param(endpoint, role, method, id=f"{method} {endpoint} as {role}")
    for endpoint in ENDPOINTS
    for role in ROLES
    for method in ("GET", "POST")
]


def test_the_matrix_covers_every_moderation_and_disposition_url(world):
    covered = {resolve(urlparse(spec["url"](world)).path).func for spec in ENDPOINTS.values()}
    patterns = moderation_urls.urlpatterns + steward_urls.urlpatterns
    missing = [str(p.pattern) for p in patterns if p.callback not in covered]
    assert missing == []


def test_the_matrix_covers_every_moderation_action():
    acted = {name.split()[-1] for name in ENDPOINTS if name.startswith("moderation:act ")}
    suspensions = {name.split()[-1] for name in ENDPOINTS if name.startswith("moderation:suspension ")}
    assert acted == set(moderation_views.ACTIONS)
    assert suspensions == {"suspend", "unsuspend"}


def test_the_publish_and_edit_clause_addresses_reach_the_moderation_views(world):
    assert resolve(reverse("stewards:publish", args=[SLUG])).func is steward_views.publish
    assert resolve(reverse("stewards:edit_clause", args=[SLUG, "scope"])).func is steward_views.edit_clause


@pytest.mark.parametrize("endpoint, role, method", MATRIX)
def test_each_role_gets_what_the_matrix_says_and_a_refusal_changes_nothing(
    request, world, endpoint, role, method
):
    spec = ENDPOINTS[endpoint]
    outcome = expected(endpoint, role, method)
    client = client_as(request, role)  # creates the persona first: it is not part of the change
    before = fingerprint()
    response = send(client, method, endpoint, world)
    url = spec["url"](world)
    if outcome == "login":
        assert response.status_code == 302
        location = urlparse(response["Location"])
        assert location.path == reverse("account_login")
        assert parse_qs(location.query)["next"] == [url]
        assert fingerprint() == before
    elif outcome in ("403", "405"):
        assert response.status_code == int(outcome)
        assert fingerprint() == before
    else:
        assert response.status_code == spec[method.lower()]
        if response.status_code == 302:
            assert urlparse(response["Location"]).path != reverse("account_login")
        if method == "POST" and spec["writes"]:
            assert fingerprint() != before
        else:
            assert fingerprint() == before


# The people the personas do not cover: the comment's author and a suspended person.


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("who", ["author", "suspended"])
def test_the_author_or_a_suspended_person_cannot_flag_and_nothing_changes(world, who, method):
    before = fingerprint()
    response = send(client_for(getattr(world, who)), method, "moderation:flag", world)
    assert response.status_code == 403
    assert fingerprint() == before


def test_the_comment_author_can_answer_its_disposition(world):
    before = fingerprint()
    response = send(client_for(world.author), "POST", "respond", world)
    assert response.status_code == 302
    assert response["Location"] == reverse("comments:permalink", args=[world.decided.pk])
    assert fingerprint() != before
    answer = DispositionResponse.objects.get()
    assert (answer.author, answer.verdict, answer.note) == (world.author, "objects", "Orchards matter.")


# CSRF protection stays on for every moderation and disposition POST.

WHO_MAY_POST = {"moderators": "moderator", "stewards": "steward", "flag": "commenter", "respond": "author"}
WRITING = [pytest.param(name, id=name) for name, spec in ENDPOINTS.items() if spec["writes"]]


@pytest.mark.parametrize("endpoint", WRITING)
def test_a_permitted_post_without_a_csrf_token_is_refused_and_changes_nothing(request, world, endpoint):
    role = WHO_MAY_POST[ENDPOINTS[endpoint]["audience"]]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.author if role == "author" else request.getfixturevalue(role))
    before = fingerprint()
    response = send(client, "POST", endpoint, world)
    assert response.status_code == 403
    assert fingerprint() == before
