"""The disposition report page in pages: a version with ten thousand comments is read a page at a
time, in the order of its text, while the summary above the table counts every comment."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from docket import pagecache
from moderation import actions, reports
from moderation.models import DispositionResponse
from tests.conftest import make_comment, make_definition, make_user

SLUG = "charter"


@pytest.fixture
def version(db):
    definition = make_definition(
        slug=SLUG,
        versions={
            "1.0": [
                ("intro", "Introduction", "Why this charter."),
                ("scope", "Scope", "What it covers."),
                ("terms", "Terms", "Words we use."),
            ]
        },
    )
    return definition.versions.get(label="1.0")


@pytest.fixture
def two_per_page(monkeypatch):
    monkeypatch.setattr(reports, "ROWS_PER_PAGE", 2)


def report_url(query="") -> str:
    return reverse("record:dispositions", args=[SLUG, "1.0"]) + query


def rows_of(html) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="row-(\d+)">', html)]


@pytest.fixture
def out_of_order(version):
    """Six comments written in an order other than the text's: by clause, they read c, f, b, d, a, e."""
    keys = {"a": "terms", "b": "scope", "c": "intro", "d": "scope", "e": "terms", "f": "intro"}
    made = {name: make_comment(make_user(), version, key, f"Comment {name}.") for name, key in keys.items()}
    return [made[name].pk for name in "cfbdae"]


def test_the_pages_follow_the_text_clause_by_clause_then_oldest_first(reader, two_per_page, out_of_order):
    pages = [rows_of(reader.get(report_url(f"?page={n}")).content.decode()) for n in (1, 2, 3)]
    assert pages == [out_of_order[0:2], out_of_order[2:4], out_of_order[4:6]]


def test_the_pages_together_hold_the_rows_of_the_complete_download(reader, two_per_page, out_of_order):
    downloaded = json.loads(b"".join(reader.get(report_url("?format=json")).streaming_content))
    paged = [pk for n in (1, 2, 3) for pk in rows_of(reader.get(report_url(f"?page={n}")).content.decode())]
    assert len(downloaded["dispositions"]) == 6
    assert [row["tracking_number"] for row in downloaded["dispositions"]] == [
        Comment.objects.get(pk=pk).tracking_number for pk in paged
    ]


def test_a_page_holds_fifty_comments_and_the_next_page_the_rest(reader, version):
    made = [make_comment(make_user(), version, "scope", f"Comment {n}.") for n in range(51)]
    first = reader.get(report_url()).content.decode()
    second = reader.get(report_url("?page=2")).content.decode()
    assert rows_of(first) == [c.pk for c in made[:50]]
    assert rows_of(second) == [made[50].pk]
    assert "Comments 1 to 50 of 51, in the order of the text." in first
    assert "Comments 51 to 51 of 51" in second


@pytest.fixture
def mixed(version):
    """Five comments in the record and one held: their standing differs from page to page."""
    steward = make_user(groups=["Stewards"])
    authors = [make_user() for _ in range(5)]
    accepted, declined, noted, awaiting, withdrawn = (
        make_comment(author, version, "scope", f"Comment {n}.") for n, author in enumerate(authors)
    )
    Comment.objects.filter(pk=withdrawn.pk).update(status=Comment.Status.WITHDRAWN)
    make_comment(make_user(), version, "terms", "Not yet approved.", status=Comment.Status.HELD)
    first = actions.record_disposition(comment=accepted, by=steward, status="declined")
    # The author objected, and the stewards changed their minds; the author has not answered
    # again: only the current disposition and an answer to it count.
    DispositionResponse.objects.create(disposition=first, author=authors[0], verdict="objects")
    actions.record_disposition(comment=accepted, by=steward, status="accepted")
    answered = actions.record_disposition(comment=declined, by=steward, status="declined")
    DispositionResponse.objects.create(disposition=answered, author=authors[1], verdict="objects")
    answered = actions.record_disposition(comment=noted, by=steward, status="noted")
    DispositionResponse.objects.create(disposition=answered, author=authors[2], verdict="satisfied")
    return [accepted, declined, noted, awaiting, withdrawn]


def test_the_summary_counts_every_comment_of_the_version_not_only_the_page(reader, two_per_page, mixed):
    response = reader.get(report_url("?page=3"))
    html = response.content.decode()
    assert [c.pk for c in response.context["report"].comments] == [mixed[4].pk]
    assert "5 comments, <strong>1 still awaiting a response</strong>" in html
    assert (
        '<ul class="disposition-counts"><li>Accepted: 1</li><li>Declined: 1</li><li>Noted: 1</li></ul>'
        in html
    )
    assert "Authors' answers: 1 satisfied, 1 objecting." in html


def test_the_summary_agrees_with_the_complete_download(reader, two_per_page, mixed):
    response = reader.get(report_url("?page=2"))
    document = json.loads(b"".join(reader.get(report_url("?format=json")).streaming_content))
    by_status = {}
    for row in document["dispositions"]:
        by_status[row["disposition"]] = by_status.get(row["disposition"], 0) + 1
    report = response.context["report"]
    assert report.summary.total == document["comments"] == 5
    assert report.summary.awaiting == document["awaiting_response"] == by_status["awaiting"] == 1
    assert (report.summary.satisfied, report.summary.objecting) == (
        document["authors_satisfied"],
        document["authors_objecting"],
    )
    assert {label: n for label, n in report.counts if n} == {
        "Accepted": by_status["accepted"],
        "Declined": by_status["declined"],
        "Noted": by_status["noted"],
    }


def test_the_page_links_say_where_they_lead_and_mark_the_current_page(reader, two_per_page, out_of_order):
    html = reader.get(report_url("?page=2")).content.decode()
    nav = html[html.index('<nav class="pagination"') : html.index("</nav>", html.index('class="pagination"'))]
    assert 'aria-label="Pages of the report"' in nav
    assert '<span aria-current="page">Page 2 of 3</span>' in nav
    assert f'<a href="{report_url()}">First page</a>' in nav
    assert f'<a rel="prev" href="{report_url()}">Previous page</a>' in nav
    assert '<a rel="next" href="?page=3">Next page</a>' in nav
    assert '<a href="?page=3">Last page</a>' in nav


def test_the_page_links_carry_only_the_page_number(reader, two_per_page, out_of_order):
    # The report reads no other parameter, and its shared fragment is kept per page: an address
    # with parameters of its own must not make a copy of its own.
    html = reader.get(report_url("?utm_source=newsletter&page=2")).content.decode()
    nav = html[html.index('<nav class="pagination"') :].split("</nav>")[0]
    assert f'<a href="{report_url()}">First page</a>' in nav
    assert '<a rel="next" href="?page=3">Next page</a>' in nav
    assert "utm_source" not in nav


def test_the_first_and_last_pages_offer_no_way_further(reader, two_per_page, out_of_order):
    first = reader.get(report_url()).content.decode()
    last = reader.get(report_url("?page=3")).content.decode()
    assert 'rel="prev"' not in first and "First page" not in first
    assert 'rel="next"' not in last and "Last page" not in last


def test_a_report_that_fits_one_page_has_no_page_links(reader, out_of_order):
    html = reader.get(report_url()).content.decode()
    assert rows_of(html) == out_of_order
    assert 'class="pagination"' not in html
    assert "in the order of the text" not in html


@pytest.mark.parametrize("page", ["0", "-2", "two", "1.5", ""])
def test_a_page_number_that_is_not_one_shows_the_first_page(reader, two_per_page, out_of_order, page):
    response = reader.get(report_url(f"?page={page}"))
    assert response.status_code == 200
    assert rows_of(response.content.decode()) == out_of_order[:2]


def test_a_page_past_the_end_shows_the_last_page(reader, two_per_page, out_of_order):
    html = reader.get(report_url("?page=99999999999999999999")).content.decode()
    assert rows_of(html) == out_of_order[4:]
    assert '<span aria-current="page">Page 3 of 3</span>' in html


def test_a_version_without_comments_says_so(reader, version):
    html = reader.get(report_url("?page=2")).content.decode()
    assert "Version 1.0 has received no comments." in html
    assert 'class="pagination"' not in html


def test_each_page_has_its_own_entry_in_the_page_cache(two_per_page, out_of_order, settings):
    settings.PAGE_CACHE_SECONDS = 60
    first = Client().get(report_url())
    second = Client().get(report_url("?page=2"))
    again = Client().get(report_url("?page=2"))
    assert (first[pagecache.HEADER], second[pagecache.HEADER], again[pagecache.HEADER]) == (
        "miss",
        "miss",
        "hit",
    )
    assert rows_of(second.content.decode()) == rows_of(again.content.decode()) == out_of_order[2:4]
