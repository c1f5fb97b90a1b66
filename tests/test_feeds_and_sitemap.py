"""Atom feeds (new versions, new comments on a definition or a clause, dispositions), the
sitemap and robots.txt (issue 6): public data only, linked from the pages, fixed query counts."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from comments.models import Comment
from moderation import actions
from tests.conftest import make_comment, make_definition, make_user, many_clauses
from tests.queries import count_queries

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ALTERNATE = re.compile(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"')


def atom(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root) -> list[dict]:
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary") or "",
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def feed(client, name, *args) -> list[dict]:
    return entries(atom(client.get(reverse(f"openrecord:{name}", args=args))))


def sitemap_locations(client) -> list[str]:
    response = client.get(reverse("sitemap"))
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return [url.findtext(f"{SITEMAP}loc") for url in root.findall(f"{SITEMAP}url")]


@pytest.fixture
def commented(demo_definition):
    """The demo charter with a visible comment on two clauses, a hidden one, a reply and a
    disposition."""
    version = demo_definition.versions.get(label="1.0")
    author, steward, moderator = make_user(), make_user(groups=["Stewards"]), make_user(groups=["Moderators"])
    scope = make_comment(author, version, "scope", body="Orchards need their own clause.")
    make_comment(author, version, "scope", body="Agreed, orchards.", parent=scope)
    make_comment(author, version, "members", body="Who may join?")
    hidden = make_comment(author, version, "scope", body="Secret spam words here.")
    actions.hide(comment=hidden, actor=moderator, reason="Spam.")
    actions.record_disposition(
        comment=scope, by=steward, status="declined", rationale="Orchards stay in scope."
    )
    return demo_definition


def test_the_versions_feed_has_an_entry_for_each_published_version_and_none_for_a_draft(
    reader, demo_definition
):
    make_definition(slug="charter", versions={"2.0": many_clauses(2)}, publish=False)
    found = feed(reader, "versions_feed", "charter")
    assert sorted(entry["title"] for entry in found) == [
        "The Test Charter 0.1",
        "The Test Charter 0.2",
        "The Test Charter 1.0",
    ]
    assert found[0]["link"] == "http://testserver" + reverse("definition:version", args=["charter", "1.0"])
    assert not any("2.0" in entry["link"] for entry in found)


def test_the_comments_feed_has_an_entry_for_each_visible_comment_and_none_for_a_hidden_one(reader, commented):
    found = feed(reader, "comments_feed", "charter")
    assert len(found) == 3
    text = " ".join(entry["summary"] for entry in found)
    assert "Orchards need their own clause." in text
    assert "Agreed, orchards." in text
    assert "Who may join?" in text
    assert "Secret spam words" not in text
    hidden = Comment.objects.get(status=Comment.Status.HIDDEN)
    assert hidden.tracking_number not in " ".join(entry["title"] for entry in found)


def test_the_clause_feed_has_only_that_clauses_comments(reader, commented):
    found = feed(reader, "clause_comments_feed", "charter", "members")
    assert [entry["summary"].strip() for entry in found] == ["<p>Who may join?</p>"]
    assert all(" on members " in entry["title"] for entry in found)
    scope = feed(reader, "clause_comments_feed", "charter", "scope")
    assert len(scope) == 2
    assert all(" on scope " in entry["title"] for entry in scope)


def test_a_comment_entry_links_to_the_comment_permalink(reader, commented):
    comment = Comment.objects.get(body="Who may join?")
    found = feed(reader, "clause_comments_feed", "charter", "members")
    assert found[0]["link"] == "http://testserver" + reverse("comments:permalink", args=[comment.pk])


def test_the_dispositions_feed_has_an_entry_for_each_disposition(reader, commented):
    found = feed(reader, "dispositions_feed", "charter")
    scope = Comment.objects.get(body="Orchards need their own clause.")
    assert [entry["title"] for entry in found] == [f"{scope.tracking_number}: Declined"]
    assert "Orchards stay in scope." in found[0]["summary"]


def test_the_feeds_of_an_unknown_definition_are_404(reader, demo_definition):
    for name, args in [
        ("versions_feed", ["nothing"]),
        ("comments_feed", ["nothing"]),
        ("clause_comments_feed", ["nothing", "scope"]),
        ("dispositions_feed", ["nothing"]),
    ]:
        assert reader.get(reverse(f"openrecord:{name}", args=args)).status_code == 404


def test_the_feeds_of_a_definition_with_only_a_draft_are_404(reader, db):
    make_definition(slug="secret", versions={"0.1": many_clauses(2)}, publish=False)
    assert reader.get(reverse("openrecord:versions_feed", args=["secret"])).status_code == 404
    assert reader.get(reverse("openrecord:comments_feed", args=["secret"])).status_code == 404


def test_the_version_page_links_the_definition_feeds(reader, commented):
    html = reader.get(reverse("definition:version", args=["charter", "1.0"])).content.decode()
    assert set(ALTERNATE.findall(html)) == {
        reverse("openrecord:versions_feed", args=["charter"]),
        reverse("openrecord:comments_feed", args=["charter"]),
        reverse("openrecord:dispositions_feed", args=["charter"]),
    }


def test_the_clause_page_links_the_clause_feed_too_and_every_linked_feed_is_atom(reader, commented):
    html = reader.get(reverse("definition:clause", args=["charter", "1.0", "scope"])).content.decode()
    hrefs = ALTERNATE.findall(html)
    assert reverse("openrecord:clause_comments_feed", args=["charter", "scope"]) in hrefs
    assert reverse("openrecord:comments_feed", args=["charter"]) in hrefs
    for href in hrefs:
        assert entries(atom(reader.get(href)))


def test_the_sitemap_lists_every_published_version_and_clause_and_no_draft(reader, demo_definition):
    make_definition(
        slug="charter",
        versions={"2.0": [("scope", "Scope", "Draft words."), ("draft-only", "Draft only", "Not yet.")]},
        publish=False,
    )
    locations = sitemap_locations(reader)
    expected = set()
    for version in demo_definition.versions.published():
        expected.add("http://testserver" + version.get_absolute_url())
        for text in version.clause_texts.select_related("clause"):
            expected.add(
                "http://testserver"
                + reverse("definition:clause", args=["charter", version.label, text.clause.key])
            )
    assert len(expected) == 3 + 3 + 4 + 3
    assert set(locations) == expected
    assert len(locations) == len(expected)
    assert not any("/2.0/" in loc or "draft-only" in loc for loc in locations)


def test_robots_txt_points_to_the_sitemap(reader, db):
    response = reader.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode().splitlines()


def _commented_definition(slug, versions, clauses, comments_per_clause):
    definition = make_definition(
        slug=slug,
        versions={str(n): many_clauses(clauses, suffix=f" Edit {n}.") for n in range(1, versions + 1)},
    )
    author, steward = make_user(), make_user(groups=["Stewards"])
    for version in definition.versions.all():
        for key in [f"c{i}" for i in range(clauses)]:
            for _ in range(comments_per_clause):
                comment = make_comment(author, version, key, body=f"On {key}.")
                actions.record_disposition(comment=comment, by=steward, status="noted")
    return definition


def test_the_query_counts_of_the_feeds_and_the_sitemap_do_not_grow_with_the_data(reader, db):
    # Feeds and the sitemap are fetched by robots, often: one query per item would add up.
    _commented_definition("small", versions=1, clauses=2, comments_per_clause=1)
    _commented_definition("large", versions=4, clauses=12, comments_per_clause=2)
    for name, args in [
        ("openrecord:versions_feed", []),
        ("openrecord:comments_feed", []),
        ("openrecord:clause_comments_feed", ["c1"]),
        ("openrecord:dispositions_feed", []),
    ]:
        small = count_queries(reader, reverse(name, args=["small", *args]))
        large = count_queries(reader, reverse(name, args=["large", *args]))
        assert small == large, name
    sitemap_small = count_queries(reader, reverse("sitemap"))
    _commented_definition("larger", versions=3, clauses=20, comments_per_clause=0)
    assert count_queries(reader, reverse("sitemap")) == sitemap_small
