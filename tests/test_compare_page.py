import re

from django.urls import reverse

from tests.conftest import make_definition, many_clauses
from tests.queries import count_queries


def compare_url(a, b, slug="charter"):
    return reverse("definition:compare", args=[slug, (a, b)])


def rows_by_key(response):
    return {row.key: row for row in response.context["rows"]}


def test_it_classifies_every_clause(reader, demo_definition):
    response = reader.get(compare_url("0.1", "1.0"))
    assert response.status_code == 200
    rows = rows_by_key(response)
    assert rows["scope"].status == "changed"
    assert rows["members"].status == "renamed"
    assert rows["meetings"].status == "added"
    assert rows["fees"].status == "removed"


def test_a_removed_clause_stands_where_it_was(reader, demo_definition):
    keys = [row.key for row in reader.get(compare_url("0.2", "1.0")).context["rows"]]
    assert keys == ["scope", "members", "fees", "meetings"]


def test_it_marks_word_level_insertions_and_deletions(reader, demo_definition):
    html = reader.get(compare_url("0.2", "1.0")).content.decode()
    assert "<ins> and orchards</ins>" in html
    html = reader.get(compare_url("1.0", "0.1")).content.decode()
    assert "<del> community</del>" in html


def test_a_renamed_heading_shows_the_old_and_new_words(reader, demo_definition):
    html = reader.get(compare_url("0.1", "0.2")).content.decode()
    assert "<del>Members</del><ins>Membership</ins>" in html


def test_each_row_has_the_clause_key_as_anchor(reader, demo_definition):
    html = reader.get(compare_url("0.1", "1.0")).content.decode()
    for key in ["scope", "members", "fees", "meetings"]:
        assert f'id="{key}"' in html


def test_each_row_links_its_clause_in_the_version_that_has_it_and_its_history(reader, demo_definition):
    html = reader.get(compare_url("0.1", "1.0")).content.decode()
    for key, label in [("scope", "1.0"), ("meetings", "1.0"), ("fees", "0.1")]:
        assert f'<a href="{reverse("definition:clause", args=["charter", label, key])}">' in html
        assert f'<a href="{reverse("definition:clause_history", args=["charter", key])}">History' in html


def test_the_form_picks_any_two_versions_without_javascript(reader, demo_definition):
    form_url = reverse("definition:compare_form", args=["charter"])
    response = reader.get(form_url, {"a": "0.1", "b": "0.2"})
    assert response.status_code == 302
    assert response["Location"] == compare_url("0.1", "0.2")
    html = reader.get(compare_url("0.1", "0.2")).content.decode()
    assert '<label for="compare_a">' in html and '<select id="compare_a" name="a">' in html


def test_the_bare_form_address_compares_the_two_newest_versions(reader, demo_definition):
    response = reader.get(reverse("definition:compare_form", args=["charter"]))
    assert response["Location"] == compare_url("0.2", "1.0")


def test_unknown_versions_are_404(reader, demo_definition):
    assert reader.get(compare_url("0.1", "7.0")).status_code == 404
    response = reader.get(reverse("definition:compare_form", args=["charter"]), {"a": "0.1", "b": "7.0"})
    assert response.status_code == 404
    assert "Choose two versions" in response.content.decode()


def test_drafts_cannot_be_compared_by_readers(db, reader):
    make_definition(slug="charter", versions={"1.0": many_clauses(2)})
    make_definition(slug="charter", versions={"1.1": many_clauses(2, suffix=" Draft.")}, publish=False)
    assert reader.get(compare_url("1.0", "1.1")).status_code == 404


def test_its_query_count_does_not_grow_with_clauses_or_versions(db, reader):
    make_definition(slug="small", versions={"1": many_clauses(2), "2": many_clauses(3, suffix=" Edited.")})
    make_definition(
        slug="large", versions={str(n): many_clauses(40, suffix=f" Edit {n}.") for n in range(1, 9)}
    )
    small = count_queries(reader, compare_url("1", "2", slug="small"))
    large = count_queries(reader, compare_url("1", "8", slug="large"))
    assert small == large == 2  # the definition with its versions; both versions' texts, in one query


def test_each_diff_is_computed_once_and_the_cache_is_read_once_per_page(reader, demo_definition):
    from unittest import mock

    from django.core.cache import cache

    from definition import changes

    cache.clear()
    url = compare_url("0.1", "1.0")  # scope changed, members renamed: two diffs
    with mock.patch.object(changes, "word_diff", wraps=changes.word_diff) as diffs:
        with mock.patch.object(cache, "get_many", wraps=cache.get_many) as reads:
            first = reader.get(url).content.decode()
        made = diffs.call_count
        second = reader.get(url).content.decode()
    assert made >= 2
    assert diffs.call_count == made  # the second view computed nothing
    assert reads.call_count == 1  # one read for every row of the page
    assert first.count("<ins>") == second.count("<ins>") > 0  # the kept diffs are the same


def test_unchanged_rows_are_drawn_escaped_in_order_between_the_changed_ones(db, reader):
    heading = 'Fees & <script>alert("x")</script>'
    same = [("fees", heading, "Ten a year."), ("dues", "Dues", "None.")]
    make_definition(
        versions={
            "1.0": [("scope", "Scope", "Gardens."), *same, ("end", "End", "Old end.")],
            "2.0": [("scope", "Scope", "Parks."), *same, ("end", "End", "New end.")],
        }
    )
    response = reader.get(compare_url("1.0", "2.0"))
    page = response.content.decode()
    assert "<script>alert" not in page
    assert "Fees &amp; &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert page.count('class="compare-row status-unchanged"') == 2
    ids = re.findall(r'<li class="compare-row status-\w+" id="([\w-]+)"', page)
    assert ids == ["scope", "fees", "dues", "end"]
    assert 'id="fees"><h2 class="compare-heading"><a href="/charter/2.0/fees/">' in page


def test_a_body_the_same_in_both_versions_is_not_diffed_and_others_still_are(db, reader):
    """The compare page does not read a body the other version has word for word; what it shows
    must not change for that: a renamed clause with the same body says only the heading changed,
    a re-wrapped body is unchanged, an added clause with another clause's text shows its text."""
    make_definition(
        versions={
            "1.0": [
                ("scope", "Scope", "Gardens and parks."),
                ("fees", "Fees", "Ten a year,\npaid in spring."),
                ("dues", "Dues", "None."),
            ],
            "2.0": [
                ("scope", "Purpose", "Gardens and parks."),
                ("fees", "Fees", "Ten a year, paid in spring."),
                ("dues", "Dues", "None at all."),
                ("extra", "Extra", "Gardens and parks."),
            ],
        }
    )
    response = reader.get(compare_url("1.0", "2.0"))
    rows = rows_by_key(response)
    assert [rows[k].status for k in ("scope", "fees", "dues", "extra")] == [
        "renamed",
        "unchanged",
        "changed",
        "added",
    ]
    page = response.content.decode()
    assert "The text is the same; only the heading changed." in page
    assert "<ins> at all</ins>" in page
    assert "<p>Gardens and parks.</p>" in page.split('id="extra"')[1]
