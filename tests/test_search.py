"""Search (issue 6): one box over clauses and comments, PostgreSQL full-text search with GIN indexes
on PostgreSQL and a word match on SQLite. Run this module on both databases."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from definition.models import ClauseText
from moderation import actions
from openrecord import search as search_module
from openrecord.search import stored_comment_document
from tests.conftest import make_definition, make_user, many_clauses
from tests.queries import count_queries

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES, reason="PostgreSQL full-text search only: SQLite searches by a plain word match"
)


def make_comment(author, version, key="scope", body="A comment.", **fields) -> Comment:
    comment = Comment.objects.create(
        clause=version.definition.clauses.get(key=key), version=version, author=author, body=body, **fields
    )
    Comment.objects.filter(pk=comment.pk).update(root=comment)
    comment.root_id = comment.pk
    return comment


def search(client, **params):
    response = client.get(reverse("search"), params)
    assert response.status_code == 200
    return response


def found(client, **params) -> list[tuple]:
    """What a search finds: ("clause", slug, label, key) or ("comment", body), best first."""
    hits = []
    for hit in search(client, **params).context["hits"]:
        if hit.kind == "clause":
            text = hit.obj
            hits.append(("clause", text.version.definition.slug, text.version.label, text.clause.key))
        else:
            hits.append(("comment", hit.obj.body))
    return hits


def clause_hits(client, **params) -> set[tuple]:
    return {hit for hit in found(client, kind="clauses", **params)}


def test_it_finds_a_clause_in_the_latest_version_by_default(reader, demo_definition):
    assert clause_hits(reader, q="gardens") == {("clause", "charter", "1.0", "scope")}


def test_a_clause_only_in_an_earlier_version_is_not_found_by_default(reader, demo_definition):
    assert clause_hits(reader, q="yearly") == set()


def test_all_versions_finds_the_clause_in_every_version(reader, demo_definition):
    assert clause_hits(reader, q="gardens", all_versions="1") == {
        ("clause", "charter", "0.1", "scope"),
        ("clause", "charter", "0.2", "scope"),
        ("clause", "charter", "1.0", "scope"),
    }
    assert clause_hits(reader, q="yearly", all_versions="1") == {
        ("clause", "charter", "0.1", "fees"),
        ("clause", "charter", "0.2", "fees"),
    }


def test_a_version_label_searches_that_version(reader, demo_definition):
    assert clause_hits(reader, q="gardens", version="0.1") == {("clause", "charter", "0.1", "scope")}
    assert clause_hits(reader, q="yearly", version="0.2") == {("clause", "charter", "0.2", "fees")}


def test_each_clause_hit_links_to_the_clause_in_its_version(reader, demo_definition):
    page = search(reader, q="yearly", version="0.1").content.decode()
    assert f'href="{reverse("definition:clause", args=["charter", "0.1", "fees"])}"' in page


def test_it_finds_comments_by_their_words(reader, demo_definition, commenter):
    version = demo_definition.versions.get(label="1.0")
    comment = make_comment(commenter, version, "members", body="Should beekeepers count as members?")
    make_comment(commenter, version, "scope", body="Nothing relevant.")
    assert found(reader, q="beekeepers") == [("comment", "Should beekeepers count as members?")]
    page = search(reader, q="beekeepers").content.decode()
    assert f'href="{reverse("comments:permalink", args=[comment.pk])}"' in page


def test_kind_limits_the_results_to_clauses_or_comments(reader, demo_definition, commenter):
    make_comment(commenter, demo_definition.versions.get(label="1.0"), body="Community gardens need water.")
    assert {hit[0] for hit in found(reader, q="gardens")} == {"clause", "comment"}
    assert {hit[0] for hit in found(reader, q="gardens", kind="clauses")} == {"clause"}
    assert {hit[0] for hit in found(reader, q="gardens", kind="comments")} == {"comment"}


def test_a_definition_filter_keeps_to_that_definition(reader, demo_definition, commenter):
    other = make_definition(
        slug="orchard", title="The Orchard Rules", versions={"1": many_clauses(2, suffix=" gardens")}
    )
    make_comment(commenter, other.versions.get(), "c0", body="Gardens and more gardens.")
    make_comment(commenter, demo_definition.versions.get(label="1.0"), body="Gardens are nice.")
    everything = found(reader, q="gardens")
    assert {hit[1] for hit in everything if hit[0] == "clause"} == {"charter", "orchard"}
    assert {hit[1] for hit in found(reader, q="gardens", definition="orchard") if hit[0] == "clause"} == {
        "orchard"
    }
    assert [hit for hit in found(reader, q="gardens", definition="orchard") if hit[0] == "comment"] == [
        ("comment", "Gardens and more gardens.")
    ]


def test_matching_words_are_highlighted(reader, demo_definition):
    page = search(reader, q="orchards").content.decode()
    assert re.search(r'<p class="snippet">[^<]*<mark>orchards</mark>', page)


def test_a_clause_with_a_script_tag_is_shown_as_text(reader, db):
    make_definition(
        slug="charter",
        versions={
            "1.0": [("scope", "Scope", 'Quinces <script>alert("quinces")</script> and <b>bold</b> quinces.')]
        },
    )
    page = search(reader, q="quinces").content.decode()
    assert "<mark>" in page
    assert "<script>alert" not in page
    assert "<b>bold" not in page
    assert page.count("<script") == 1  # the site's own script, nothing else


def test_a_comment_with_a_script_tag_or_a_mark_tag_is_shown_as_text(reader, demo_definition, commenter):
    make_comment(
        commenter,
        demo_definition.versions.get(label="1.0"),
        body='Medlars <script>alert("medlars")</script> and a fake <mark>highlight</mark>.',
    )
    page = search(reader, q="medlars").content.decode()
    assert "<script>alert" not in page
    assert page.count("<script") == 1
    # The only highlights are the search word's; the typed <mark> is text, or dropped on PostgreSQL.
    assert re.findall(r"<mark>([^<]*)</mark>", page)
    assert {word.lower() for word in re.findall(r"<mark>([^<]*)</mark>", page)} == {"medlars"}


def test_a_search_word_with_markup_is_escaped_in_the_page(reader, demo_definition):
    page = search(reader, q='<script>alert("x")</script>').content.decode()
    assert "<script>alert" not in page
    assert page.count("<script") == 1


def test_hidden_withdrawn_and_held_comments_are_never_found(reader, demo_definition, commenter, moderator):
    version = demo_definition.versions.get(label="1.0")
    hidden = make_comment(commenter, version, body="Persimmons hidden.")
    actions.hide(comment=hidden, actor=moderator, reason="Spam.")
    make_comment(commenter, version, body="Persimmons withdrawn.", status=Comment.Status.WITHDRAWN)
    make_comment(commenter, version, body="Persimmons held.", status=Comment.Status.HELD)
    make_comment(commenter, version, body="Persimmons visible.")
    assert found(reader, q="persimmons") == [("comment", "Persimmons visible.")]
    assert found(reader, q="persimmons hidden") == []
    assert found(reader, q="persimmons held", all_versions="1") == []


def test_drafts_are_never_found(reader, demo_definition, commenter):
    make_definition(
        slug="charter", versions={"2.0": [("scope", "Scope", "Secret loquats in the draft.")]}, publish=False
    )
    make_definition(slug="unpublished", versions={"0.1": [("a", "A", "Loquats everywhere.")]}, publish=False)
    draft = demo_definition.versions.get(label="2.0")
    make_comment(commenter, draft, body="Loquats on a draft.")
    assert found(reader, q="loquats") == []
    assert found(reader, q="loquats", all_versions="1") == []
    assert found(reader, q="loquats", version="2.0") == []
    assert found(reader, q="loquats", definition="unpublished", all_versions="1") == []


def test_a_heading_match_ranks_above_a_clause_that_mentions_the_word_twice_in_its_body(reader, db):
    make_definition(
        slug="charter",
        versions={
            "1.0": [
                ("other", "Other things", "Some people grow apricots here, and apricots there."),
                ("apricots", "Apricots", "Trees that fruit in summer."),
            ]
        },
    )
    assert found(reader, q="apricots")[0] == ("clause", "charter", "1.0", "apricots")


def test_a_denser_match_ranks_first(reader, db):
    make_definition(
        slug="charter",
        versions={
            "1.0": [
                ("sparse", "Sparse", "We mention figs once among many other words about the garden."),
                ("dense", "Dense", "Figs, figs and figs: figs everywhere."),
            ]
        },
    )
    assert [hit[3] for hit in found(reader, q="figs")] == ["dense", "sparse"]


def test_every_word_must_match(reader, demo_definition):
    assert clause_hits(reader, q="community orchards") == {("clause", "charter", "1.0", "scope")}
    assert clause_hits(reader, q="community fees") == set()


def test_an_empty_query_shows_the_form_and_no_results(reader, demo_definition):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = search(reader, **params)
        page = response.content.decode()
        assert '<input id="search_q" type="search" name="q"' in page
        assert '<label for="search_q">' in page
        assert "search-results" not in page
        assert response.context["hits"] == []


@mock.patch("openrecord.search.CANDIDATES", 10)
def test_the_query_count_does_not_grow_with_the_data(reader, db, commenter):
    # One query per hit (its version, definition or author) would make a common word slow. The
    # three: the definitions for the form, the clauses, the comments.
    small = make_definition(slug="small", versions={"1": many_clauses(2, suffix=" plums")})
    make_comment(commenter, small.versions.get(), "c0", body="Plums.")
    url = reverse("search") + "?q=plums&all_versions=1"
    few = count_queries(reader, url)
    large = make_definition(
        slug="large", versions={str(n): many_clauses(20, suffix=f" plums {n}") for n in range(1, 4)}
    )
    for version in large.versions.all():
        for i in range(5):
            make_comment(make_user(), version, f"c{i}", body=f"More plums {i}.")
    response = search(reader, q="plums", all_versions="1")
    assert len(response.context["hits"]) > 40
    assert response.context["capped"]  # more comments than the cap: the capped path costs the same
    assert count_queries(reader, url) == few == 3


# Only the most recent matching comments are ranked (search.CANDIDATES), so that a common word
# among a million comments does not rank them all.


def make_fig_comments(author, version) -> dict[str, Comment]:
    """Five comments on figs an hour apart, the two oldest the densest, and one newer than all
    of them without the word."""
    now = timezone.now()
    bodies = {
        "no figs": "Nothing about the fruit at all, only the newest words.",
        "newest": "Figs once, among many other words about the garden and its trees.",
        "dense": "Figs, figs and figs: figs for everyone.",
        "sparse": "We mention figs in passing, among a good many other words here.",
        "old dense": "Figs figs figs figs figs figs figs figs figs.",
        "oldest dense": "Figs figs figs figs figs figs figs figs.",
    }
    return {
        name: make_comment(author, version, body=body, created_at=now - timedelta(hours=age))
        for age, (name, body) in enumerate(bodies.items())
    }


def comment_bodies(response) -> list[str]:
    return [hit.obj.body for hit in response.context["hits"] if hit.kind == "comment"]


@mock.patch("openrecord.search.CANDIDATES", 3)
def test_with_more_matches_than_the_cap_the_most_relevant_of_the_most_recent_are_shown(
    reader, demo_definition, commenter
):
    comments = make_fig_comments(commenter, demo_definition.versions.get(label="1.0"))

    response = search(reader, q="figs", kind="comments")

    recent = [comments[name].body for name in ("newest", "dense", "sparse")]
    assert sorted(comment_bodies(response)) == sorted(recent)
    assert comment_bodies(response)[0] == comments["dense"].body
    assert response.context["capped"]
    page = " ".join(response.content.decode().split())
    assert (
        "At least 3 comments match, so the comments below are the most relevant of the 3 most recent" in page
    )
    assert "narrow the search" in page


@mock.patch("openrecord.search.CANDIDATES", 7)
def test_with_fewer_matches_than_the_cap_every_match_is_ranked_and_no_cap_is_mentioned(
    reader, demo_definition, commenter
):
    comments = make_fig_comments(commenter, demo_definition.versions.get(label="1.0"))
    make_comment(commenter, demo_definition.versions.get(label="0.1"), body="Figs on an older version.")

    response = search(reader, q="figs", kind="comments")

    expected = {c.body for name, c in comments.items() if name != "no figs"} | {"Figs on an older version."}
    assert set(comment_bodies(response)) == expected
    assert comment_bodies(response)[:2] == [comments["old dense"].body, comments["oldest dense"].body]
    assert not response.context["capped"]
    assert "comments match" not in response.content.decode()


def test_the_cap_is_a_thousand_comments():
    assert search_module.CANDIDATES == 1_000


def test_the_search_box_is_on_every_page_with_a_label(reader, demo_definition, commenter):
    comment = make_comment(commenter, demo_definition.versions.get(label="1.0"))
    for url in [
        reverse("definition:version", args=["charter", "1.0"]),
        reverse("definition:clause", args=["charter", "1.0", "scope"]),
        reverse("definition:compare", args=["charter", ("0.1", "1.0")]),
        reverse("definition:clause_history", args=["charter", "scope"]),
        reverse("record:dispositions", args=["charter", "1.0"]),
        reverse("comments:cite", args=[comment.pk]),
        reverse("comments:lookup"),
        reverse("search"),
    ]:
        page = reader.get(url).content.decode()
        form = re.search(
            r'<form class="site-search" role="search" method="get" action="([^"]+)">(.*?)</form>', page, re.S
        )
        assert form, url
        assert form.group(1) == reverse("search")
        assert '<label for="site_search_q"' in form.group(2)
        assert '<input id="site_search_q" type="search" name="q"' in form.group(2)


@postgres_only
def test_the_full_text_indexes_exist_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%search%'")
        indexes = dict(cursor.fetchall())
    assert set(indexes) == {"clausetext_search", "comment_search_document"}
    assert all("USING gin" in definition for definition in indexes.values())
    assert "to_tsvector" in indexes["clausetext_search"]
    assert "(search_document)" in indexes["comment_search_document"]


@postgres_only
def test_postgresql_finds_other_forms_of_a_word(reader, demo_definition):
    assert clause_hits(reader, q="garden") == {("clause", "charter", "1.0", "scope")}


@postgres_only
def test_postgresql_can_answer_a_search_from_the_indexes(db, demo_definition, commenter):
    from django.contrib.postgres.search import SearchQuery, SearchVector

    make_comment(commenter, demo_definition.versions.get(label="1.0"), body="Orchards.")
    query = SearchQuery("orchards", search_type="websearch", config="english")
    clauses = ClauseText.objects.annotate(document=SearchVector("heading", "body", config="english"))
    comments = Comment.objects.annotate(document=stored_comment_document())
    with connection.cursor() as cursor:
        # With so few rows the planner prefers a scan; forbid it to see whether the index fits.
        cursor.execute("SET LOCAL enable_seqscan = off")
        assert "clausetext_search" in clauses.filter(document=query).explain()
        assert "comment_search_document" in comments.filter(document=query).explain()


@postgres_only
def test_the_stored_comment_document_follows_edits(db, demo_definition, commenter):
    from django.contrib.postgres.search import SearchQuery

    comment = make_comment(commenter, demo_definition.versions.get(label="1.0"), body="Orchards.")
    comment.body = "Vineyards."
    comment.save()
    documents = Comment.objects.annotate(document=stored_comment_document())
    assert not documents.filter(pk=comment.pk, document=SearchQuery("orchards", config="english")).exists()
    assert documents.filter(pk=comment.pk, document=SearchQuery("vineyard", config="english")).exists()


def test_a_nul_character_in_the_query_is_refused_with_400(reader, demo_definition):
    response = reader.get("/search/?q=a%00b")
    assert response.status_code == 400


@postgres_only
def test_postgresql_can_find_the_most_recent_matches_by_reading_the_created_index_backwards(
    db, demo_definition, commenter
):
    from django.contrib.postgres.search import SearchQuery

    from openrecord.search import _most_recent

    make_comment(commenter, demo_definition.versions.get(label="1.0"), body="Orchards.")
    query = SearchQuery("orchards", search_type="websearch", config="english")
    matches = Comment.objects.annotate(document=stored_comment_document()).filter(document=query)
    with connection.cursor() as cursor:
        # At a million comments the planner walks this index and stops at the cap (it ranked
        # 1,000 of 600,000 matches in 19 ms); with so few rows, forbid the other plans to see it fits.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = _most_recent(matches).explain()
    assert "Index Scan Backward using comment_created" in plan
    assert "Sort" not in plan  # read in order, so it can stop at the cap
