"""Who may use the stewards' pages: a matrix of every steward URL, GET and POST, against every role.

Anonymous visitors are sent to sign in, signed-in non-stewards get 403, stewards and superusers
get through. A refused request changes nothing: the database fingerprint before and after is equal.
Each POST carries a realistic payload, and the steward rows prove it by showing that a permitted
POST does change the fingerprint, so a refusal that "changes nothing" means something.
"""

from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from definition import drafting
from definition.models import Clause, ClauseText, Definition, DraftImport, StewardAction, Version
from tests.conftest import client_for, document, make_definition, make_user

SLUG = "charter"  # has published version 1.0 and draft 1.1
OTHER = "handbook"  # has published version 1.0 and no draft, so a draft can be started there
DRAFT = "1.1"

UPLOAD_TEXT = document(
    "The Test Charter",
    [
        ("scope", "Scope", "What this covers, now wider."),
        ("terms", "Terms", "Words we use."),
        ("fees", "Fees", "Members pay a yearly fee."),
    ],
)


@pytest.fixture
def world(db):
    owner = make_user(groups=["Stewards"])
    charter = make_definition(slug=SLUG)
    make_definition(slug=OTHER, title="The Handbook")
    draft = drafting.start_draft(definition=charter, label=DRAFT, by=owner)
    pending = DraftImport.objects.create(
        version=draft, uploaded_by=owner, filename="charter.md", text=UPLOAD_TEXT
    )
    return SimpleNamespace(owner=owner, charter=charter, draft=draft, pending=pending)


def fingerprint():
    """Everything a steward URL could change, in a form that compares with ==."""
    return {
        "definitions": list(Definition.objects.order_by("pk").values_list("slug", "title")),
        "versions": list(
            Version.objects.order_by("pk").values_list(
                "definition_id",
                "label",
                "sequence",
                "status",
                "title",
                "published_at",
                "published_by_id",
                "release_notes",
                "comments_close_at",
            )
        ),
        "clauses": list(Clause.objects.order_by("pk").values_list("definition_id", "key")),
        "texts": list(
            ClauseText.objects.order_by("pk").values_list(
                "version_id", "clause_id", "position", "number", "heading", "level", "body", "revision"
            )
        ),
        "actions": StewardAction.objects.count(),
        "imports": list(
            DraftImport.objects.order_by("pk").values_list("version_id", "filename", "text", "accepted_at")
        ),
    }


def url_for(route, world):
    args = {
        "dashboard": [],
        "start": [OTHER],
        "import_review": [SLUG, world.pending.pk],
        "edit_clause": [SLUG, "scope"],
        "remove_clause": [SLUG, "terms"],
        "move_clause": [SLUG, "terms"],
        "comment_period": [SLUG, "1.0"],
    }.get(route, [SLUG])
    return reverse(f"stewards:{route}", args=args)


def payload_for(route):
    """A complete, valid form for each URL: what a steward's browser would send."""
    if route == "import_upload":
        upload = SimpleUploadedFile("charter.md", UPLOAD_TEXT.encode(), content_type="text/markdown")
        return {"file": upload}
    return {
        "start": {"label": "1.1"},
        "add_clause": {
            "key": "meetings",
            "heading": "Meetings",
            "level": "2",
            "body": "Members meet each month.",
            "position": "2",
        },
        "import_review": {"clause_0": "scope", "clause_1": "terms", "clause_2": ""},
        "publish": {
            "release_notes": "Scope and terms, as agreed.",
            "comments_close_at": "",
            "close_previous": "on",
        },
        "preview": {"body": "Some **bold** text."},
        "edit_clause": {
            "key": "scope",
            "heading": "Scope",
            "level": "2",
            "body": "What this covers, now wider.",
            "revision": "1",
        },
        "move_clause": {"direction": "up"},
        "comment_period": {"action": "close"},
    }.get(route, {})


def send(client, method, route, world):
    url = url_for(route, world)
    if method == "GET":
        return client.get(url)
    return client.post(url, payload_for(route))


# What a steward (or superuser) gets from each URL, and whether the request changes the database.
#   route             GET   POST  POST writes
ENDPOINTS = [
    ("dashboard", 200, 405, False),  # GET only
    ("draft", 200, 405, False),  # GET only
    ("start", 405, 302, True),  # POST only
    ("discard", 200, 302, True),  # GET asks for confirmation
    ("renumber", 405, 302, True),  # POST only
    ("add_clause", 200, 302, True),
    ("import_upload", 200, 302, True),
    ("import_review", 200, 302, True),
    ("publish", 200, 302, True),
    ("preview", 405, 200, False),  # POST only; renders Markdown, writes nothing
    ("edit_clause", 200, 302, True),
    ("remove_clause", 200, 302, True),  # GET asks for confirmation
    ("move_clause", 405, 302, True),  # POST only
    ("comment_period", 405, 302, True),  # POST only
]
REQUESTS = [
    pytest.param(route, method, status, writes and method == "POST", id=f"{method} {route}")
    for route, get_status, post_status, writes in ENDPOINTS
    for method, status in (("GET", get_status), ("POST", post_status))
]
ROUTES_AND_METHODS = [
    pytest.param(route, method, id=f"{method} {route}")
    for route, *_ in ENDPOINTS
    for method in ("GET", "POST")
]
POST_ROUTES = [pytest.param(route, id=route) for route, _, _, _ in ENDPOINTS]


def test_the_matrix_covers_every_steward_url():
    from definition import steward_urls

    assert {pattern.name for pattern in steward_urls.urlpatterns} == {route for route, *_ in ENDPOINTS}


@pytest.mark.parametrize("route, method", ROUTES_AND_METHODS)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(world, route, method):
    before = fingerprint()
    response = send(Client(), method, route, world)
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query)["next"] == [url_for(route, world)]
    assert fingerprint() == before


@pytest.mark.parametrize("role", ["unverified", "commenter", "moderator"])
@pytest.mark.parametrize("route, method", ROUTES_AND_METHODS)
def test_a_signed_in_non_steward_gets_403_and_nothing_changes(request, world, role, route, method):
    client = client_for(request.getfixturevalue(role))
    before = fingerprint()
    response = send(client, method, route, world)
    assert response.status_code == 403
    assert fingerprint() == before


@pytest.mark.parametrize("role", ["steward", "superuser"])
@pytest.mark.parametrize("route, method, status, writes", REQUESTS)
def test_a_steward_or_superuser_gets_through(request, world, role, route, method, status, writes):
    client = client_for(request.getfixturevalue(role))
    before = fingerprint()
    response = send(client, method, route, world)
    assert response.status_code == status
    if status == 302:
        assert urlparse(response["Location"]).path != reverse("account_login")
    if writes:
        assert fingerprint() != before
    else:
        assert fingerprint() == before


# A steward's incomplete or wrong form is refused with 400, and nothing is written.
INCOMPLETE = [
    pytest.param("start", {"label": ""}, id="start without a label"),
    pytest.param(
        "add_clause", {"key": "meetings", "level": "2", "body": "", "position": "2"}, id="add without heading"
    ),
    pytest.param("import_upload", {}, id="import without a file"),
    pytest.param(
        "import_review", {"clause_0": "scope", "clause_1": "scope", "clause_2": ""}, id="mapping twice"
    ),
    pytest.param(
        "publish",
        {"release_notes": "", "comments_close_at": "2000-01-01T00:00"},
        id="publish closing in the past",
    ),
    pytest.param(
        "edit_clause", {"key": "scope", "level": "2", "body": "", "revision": "1"}, id="edit without heading"
    ),
]


@pytest.mark.parametrize("route, data", INCOMPLETE)
def test_a_steward_sending_an_incomplete_form_gets_400_and_nothing_changes(world, steward, route, data):
    client = client_for(steward)
    before = fingerprint()
    response = client.post(url_for(route, world), data)
    assert response.status_code == 400
    assert fingerprint() == before


def test_a_non_steward_gets_403_even_for_a_definition_that_does_not_exist(world, commenter):
    # The refusal comes before any lookup, so it does not tell which definitions have drafts.
    client = client_for(commenter)
    assert client.get(reverse("stewards:draft", args=["no-such-thing"])).status_code == 403
    assert client.get(reverse("stewards:draft", args=[SLUG])).status_code == 403


# Reading pages for the draft: only stewards may see a draft; anyone else gets 404.


def draft_page_urls():
    return {
        "version": reverse("definition:version", args=[SLUG, DRAFT]),
        "clause": reverse("definition:clause", args=[SLUG, DRAFT, "scope"]),
        "compare": reverse("definition:compare", args=[SLUG, ("1.0", DRAFT)]),
        "history of a draft-only clause": reverse("definition:clause_history", args=[SLUG, "fees"]),
    }


@pytest.fixture
def world_with_draft_only_clause(world):
    drafting.add_clause(
        draft=world.draft,
        key="fees",
        heading="Fees",
        level=2,
        body="Members pay a yearly fee.",
        position=2,
        by=world.owner,
    )
    return world


@pytest.mark.parametrize("page", list(draft_page_urls()))
@pytest.mark.parametrize(
    "role, status",
    [
        ("anonymous", 404),
        ("unverified", 404),
        ("commenter", 404),
        ("moderator", 404),
        ("steward", 200),
        ("superuser", 200),
    ],
)
def test_draft_reading_pages_are_only_for_stewards(request, world_with_draft_only_clause, page, role, status):
    client = Client() if role == "anonymous" else client_for(request.getfixturevalue(role))
    response = client.get(draft_page_urls()[page])
    assert response.status_code == status


def test_a_reader_still_sees_the_published_version_while_a_draft_exists(reader, world):
    response = reader.get(reverse("definition:version", args=[SLUG, "1.0"]))
    assert response.status_code == 200
    assert DRAFT not in [version.label for version in response.context["versions"]]


# CSRF protection stays on for every steward POST.


@pytest.mark.parametrize("route", POST_ROUTES)
def test_a_steward_post_without_a_csrf_token_is_refused(world, steward, route):
    client = Client(enforce_csrf_checks=True)
    client.force_login(steward)
    before = fingerprint()
    response = client.post(url_for(route, world), payload_for(route))
    assert response.status_code == 403
    assert fingerprint() == before


def test_a_steward_post_with_the_csrf_token_goes_through(world, steward):
    # The counterpart of the test above: the 403 there is about the token, not the steward.
    client = Client(enforce_csrf_checks=True)
    client.force_login(steward)
    assert client.get(reverse("stewards:draft", args=[SLUG])).status_code == 200
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("stewards:renumber", args=[SLUG]), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert StewardAction.objects.filter(kind=StewardAction.Kind.RENUMBER, actor=steward).count() == 1
