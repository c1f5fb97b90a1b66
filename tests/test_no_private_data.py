"""No private data leaves through the open record (issue 6): an anonymous reader walks every
feed, export, the sitemap, robots.txt, search and every API endpoint (all pages, every detail)
over the demo plus a draft version, a draft-only definition, hidden, withdrawn and held comments,
a flag with a note and people with unique email addresses, and finds none of it."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from comments.models import Comment
from definition.importer import import_version
from definition.models import ClauseText, Definition, Version
from moderation import actions as moderation
from moderation.models import Disposition, ModerationAction
from tests import conftest
from tests.conftest import document, make_definition, make_user

DEMO = "open-recipe"
HUSH = "hush-plan"  # a definition with nothing published
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# One unique word for each private thing; the public canary shares a word with all of them.
SECRETS = {
    "draft clause body": "Zephyrquill",
    "draft clause heading": "Marmotgleam",
    "draft release notes": "Quibblefrost",
    "draft-only definition title": "Obsidianlark",
    "draft-only definition clause": "Tundrawhisk",
    "hidden comment body": "Cobaltmirth",
    "hidden comment quote": "Vellumtrace",
    "hidden comment on behalf of": "Gossamerknot",
    "hidden reply body": "Ravelpinch",
    "withdrawn comment body": "Saffronvault",
    "held comment body": "Larkspurhex",
    "flag note": "Brindlecrypt",
    "demo's hidden spam": "BUY CHEAP KNIVES NOW",
    "demo's flag note": "An advert.",
}
# Names that are never shown: whoever flags a comment, and the moderator who acts on it.
PRIVATE_NAMES = {"flag reporter": "Ottoline Flagwright", "moderator": "Magnus Hidewell"}
CANARY = "Pomegranate molasses belongs in the pantry list."
SHARED = "pomegranate"


@pytest.fixture(autouse=True)
def fresh_cache():
    """The comment rate limit and the API's throttle count in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


def person(name: str, email: str, groups=()) -> User:
    user = make_user(email=email, groups=groups)
    user.profile.display_name = name
    user.profile.save()
    return user


def make_comment(version, key, author, body, parent=None, **fields) -> Comment:
    """This module's argument order, over the shared helper."""
    return conftest.make_comment(author, version, key=key, body=body, parent=parent, **fields)


@pytest.fixture
def record(db):
    """The demo, and something private of every kind beside it."""
    call_command("load_demo", stdout=io.StringIO())
    demo = Definition.objects.get(slug=DEMO)
    latest = demo.versions.get(label="1.0")
    writer = person("Wendel Writer", "wendel.w.4471@quietmail.test")
    moderator = person(PRIVATE_NAMES["moderator"], "magnus.h.9902@quietmail.test", groups=["Moderators"])
    reporter = person(PRIVATE_NAMES["flag reporter"], "ottoline.f.3318@quietmail.test")

    draft = import_version(
        definition_slug=DEMO,
        label="2.0",
        text=document(
            "The Open Recipe Definition",
            [
                ("purpose", "Purpose", f"A {SHARED} draft: {SECRETS['draft clause body']}."),
                ("draft-only", SECRETS["draft clause heading"], "Only in the draft."),
            ],
        ),
    ).version
    draft.release_notes = f"Draft notes: {SECRETS['draft release notes']}."
    draft.save()
    make_definition(
        slug=HUSH,
        title=f"The {SECRETS['draft-only definition title']} Plan",
        versions={
            "0.1": [("scope", "Scope", f"A {SHARED} plan: {SECRETS['draft-only definition clause']}.")]
        },
        publish=False,
    )

    canary = make_comment(latest, "allergens", writer, CANARY)
    hidden = make_comment(
        latest,
        "allergens",
        writer,
        f"About {SHARED}: {SECRETS['hidden comment body']}.",
        quote=SECRETS["hidden comment quote"],
        on_behalf_of=SECRETS["hidden comment on behalf of"],
    )
    moderation.hide(comment=hidden, actor=moderator, reason="Personal details.")
    make_comment(
        latest,
        "allergens",
        writer,
        f"A {SHARED} reply: {SECRETS['hidden reply body']}.",
        parent=hidden,
        status="hidden",
    )
    make_comment(
        latest, "allergens", writer, f"On {SHARED}: {SECRETS['withdrawn comment body']}.", status="withdrawn"
    )
    make_comment(latest, "allergens", writer, f"On {SHARED}: {SECRETS['held comment body']}.", status="held")
    moderation.flag(comment=canary, reporter=reporter, reason="other", note=f"Note: {SECRETS['flag note']}.")
    return demo


def body_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def feed_and_export_urls() -> list[str]:
    """Every feed and export of every definition and version, published or not."""
    urls = [reverse("sitemap"), reverse("robots")]
    for definition in Definition.objects.all():
        slug = definition.slug
        urls += [
            reverse("openrecord:versions_feed", args=[slug]),
            reverse("openrecord:comments_feed", args=[slug]),
            reverse("openrecord:dispositions_feed", args=[slug]),
            reverse("exports:all_comments", args=[slug, "csv"]),
            reverse("exports:all_comments", args=[slug, "json"]),
        ]
        public_keys = (
            ClauseText.objects.filter(version__definition=definition, version__status="published")
            .values_list("clause__key", flat=True)
            .distinct()
        )
        urls += [reverse("openrecord:clause_comments_feed", args=[slug, key]) for key in public_keys]
        for label in definition.versions.values_list("label", flat=True):
            urls += [
                reverse("exports:markdown", args=[slug, label]),
                reverse("exports:print", args=[slug, label]),
                reverse("exports:annotations", args=[slug, label]),
            ]
    return urls


def search_urls() -> list[str]:
    base = reverse("search")
    return [
        f"{base}?q={SHARED}",
        f"{base}?q={SHARED}&kind=comments",
        f"{base}?q={SHARED}&kind=clauses&all_versions=1",
        f"{base}?q={SHARED}&version=2.0",
        f"{base}?q={SHARED}&definition={HUSH}",
        f"{base}?q=allergens&all_versions=1",
        f"{base}?q=draft",
    ]


API_LISTS = ["definition", "version", "clause", "comment", "disposition", "moderation-log"]


def api_urls(client) -> list[str]:
    """Every page of every list (five items a page), and the detail of every row, public or not."""
    urls = [reverse("api:api-root"), reverse("api:openapi")]
    for name in API_LISTS:
        url = reverse(f"api:{name}-list") + "?page_size=5"
        while url:
            urls.append(url)
            url = (client.get(url).json()["next"] or "").removeprefix("http://testserver")
    urls += [
        reverse("api:definition-detail", args=[slug])
        for slug in Definition.objects.values_list("slug", flat=True)
    ]
    for name, model in [
        ("version", Version),
        ("clause", ClauseText),
        ("comment", Comment),
        ("disposition", Disposition),
        ("moderation-log", ModerationAction),
    ]:
        urls += [
            reverse(f"api:{name}-detail", args=[pk]) for pk in model.objects.values_list("pk", flat=True)
        ]
    return urls


def walk(client, urls) -> dict[str, str]:
    """Each address's body; every one answers 200, or 404 for what is not public."""
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), f"{url} answered {response.status_code}"
        bodies[url] = body_of(response)
    return bodies


def leaks(bodies: dict[str, str]) -> list[str]:
    emails = list(User.objects.exclude(email="").values_list("email", flat=True))
    found = []
    for url, body in bodies.items():
        for what, word in {**SECRETS, **PRIVATE_NAMES}.items():
            if word in body:
                found.append(f"{url}: the {what} ({word!r})")
        if match := EMAIL.search(body):
            found.append(f"{url}: an email address ({match.group(0)!r})")
        found += [f"{url}: {email}" for email in emails if email in body]
    return found


def test_no_feed_export_sitemap_or_robots_txt_shows_anything_private(reader, record):
    bodies = walk(reader, feed_and_export_urls())

    assert len(bodies) > 30
    assert leaks(bodies) == []


def test_no_search_result_page_shows_anything_private(reader, record):
    bodies = walk(reader, search_urls())

    assert leaks(bodies) == []


def test_no_api_endpoint_shows_anything_private_on_any_page(reader, record):
    bodies = walk(reader, api_urls(reader))

    assert len(bodies) > 70
    assert leaks(bodies) == []


def test_the_walk_reads_real_content_so_a_leak_would_show(reader, record):
    """The canary is a visible comment beside the private ones: every channel that carries
    comments shows it, so the absence of the secrets above means something."""
    slug = DEMO
    carriers = [
        reverse("openrecord:comments_feed", args=[slug]),
        reverse("openrecord:clause_comments_feed", args=[slug, "allergens"]),
        reverse("exports:all_comments", args=[slug, "csv"]),
        reverse("exports:all_comments", args=[slug, "json"]),
        reverse("exports:annotations", args=[slug, "1.0"]),
        f"{reverse('search')}?q={SHARED}",
        reverse("api:comment-list") + "?clause=allergens",
    ]

    bodies = walk(reader, carriers)

    assert [url for url, body in bodies.items() if "molasses belongs in the pantry" not in body] == []
    assert any("Wendel Writer" in body for body in bodies.values())
    assert leaks({"(the walk's own check)": f"{SECRETS['flag note']} x@example.org"}) != []


def test_drafts_and_unpublished_definitions_have_no_feed_or_export(reader, record):
    draft_exports = [
        reverse("exports:markdown", args=[DEMO, "2.0"]),
        reverse("exports:print", args=[DEMO, "2.0"]),
        reverse("exports:annotations", args=[DEMO, "2.0"]),
        reverse("openrecord:versions_feed", args=[HUSH]),
        reverse("openrecord:comments_feed", args=[HUSH]),
        reverse("openrecord:dispositions_feed", args=[HUSH]),
        reverse("exports:all_comments", args=[HUSH, "csv"]),
        reverse("exports:all_comments", args=[HUSH, "json"]),
        reverse("exports:markdown", args=[HUSH, "0.1"]),
    ]

    statuses = {url: reader.get(url).status_code for url in draft_exports}

    assert set(statuses.values()) == {404}, statuses


def test_the_sitemap_lists_no_draft_page(reader, record):
    sitemap = body_of(reader.get(reverse("sitemap")))

    assert f"/{DEMO}/1.0/" in sitemap
    assert "/2.0/" not in sitemap
    assert "draft-only" not in sitemap
    assert HUSH not in sitemap


def search_hits(client, **params) -> list:
    response = client.get(reverse("search"), params)
    assert response.status_code == 200
    return response.context["hits"]


@pytest.mark.parametrize(
    "what",
    [
        "draft clause body",
        "draft clause heading",
        "draft-only definition clause",
        "hidden comment body",
        "hidden reply body",
        "withdrawn comment body",
        "held comment body",
    ],
)
def test_search_does_not_find_drafts_or_hidden_withdrawn_or_held_comments(reader, record, what):
    word = SECRETS[what]

    found = [
        *search_hits(reader, q=word),
        *search_hits(reader, q=word, all_versions="1"),
        *search_hits(reader, q=word, kind="comments"),
        *search_hits(reader, q=word, kind="clauses", version="2.0"),
        *search_hits(reader, q=word, definition=HUSH, all_versions="1"),
    ]

    assert found == []


def test_search_finds_the_visible_comment_and_only_published_text(reader, record):
    hits = search_hits(reader, q=SHARED, all_versions="1")

    comments = [hit.obj for hit in hits if hit.kind == "comment"]
    clauses = [hit.obj for hit in hits if hit.kind == "clause"]
    assert [comment.body for comment in comments] == [CANARY]
    assert all(text.version.status == "published" for text in clauses)


def test_the_dispositions_feed_leaves_out_dispositions_of_held_comments(reader, record):
    held = Comment.objects.get(status="held")
    steward = make_user(groups=["Stewards"])
    moderation.record_disposition(comment=held, by=steward, status="noted", rationale="Noted: Quillonwrack.")
    api = reader.get(reverse("api:disposition-list")).content.decode()

    feed = body_of(reader.get(reverse("openrecord:dispositions_feed", args=[DEMO])))

    assert "Quillonwrack" not in api
    assert "Quillonwrack" not in feed
    assert held.tracking_number not in feed
