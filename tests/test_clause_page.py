from django.urls import reverse

from tests.conftest import make_definition, many_clauses
from tests.queries import count_queries


def clause_url(label, key, slug="charter"):
    return reverse("definition:clause", args=[slug, label, key])


def test_it_shows_the_clause_with_its_anchor_and_text(reader, demo_definition):
    response = reader.get(clause_url("1.0", "scope"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="scope"' in html
    assert "community gardens and orchards" in html
    assert "<title>1 Scope · The Test Charter 1.0 · Docket</title>" in html


def test_it_links_to_its_neighbours(reader, demo_definition):
    html = reader.get(clause_url("1.0", "members")).content.decode()
    assert f'rel="prev" href="{clause_url("1.0", "scope")}"' in html
    assert f'rel="next" href="{clause_url("1.0", "meetings")}"' in html


def test_the_first_and_last_clause_have_one_neighbour(reader, demo_definition):
    first = reader.get(clause_url("1.0", "scope")).content.decode()
    last = reader.get(clause_url("1.0", "meetings")).content.decode()
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_it_lists_the_versions_that_have_the_clause(reader, demo_definition):
    html = reader.get(clause_url("0.2", "fees")).content.decode()
    section = html[html.index('id="versions_title"') :]
    assert clause_url("0.1", "fees") in section
    assert clause_url("1.0", "fees") not in section  # removed in 1.0


def test_it_offers_a_copyable_permanent_link(reader, demo_definition):
    html = reader.get(clause_url("0.2", "scope")).content.decode()
    assert 'value="http://testserver/charter/0.2/scope/"' in html
    assert 'value="http://testserver/charter/latest/scope/"' in html
    assert '<label for="permalink_input">' in html
    assert '<link rel="canonical" href="http://testserver/charter/0.2/scope/">' in html


def test_it_shows_what_changed_since_the_previous_version(reader, demo_definition):
    html = reader.get(clause_url("0.2", "scope")).content.decode()
    assert "Changed since 0.1" in html
    assert "<ins> community</ins>" in html


def test_an_unchanged_clause_says_so(reader, demo_definition):
    html = reader.get(clause_url("0.2", "fees")).content.decode()
    assert "Unchanged since 0.1" in html


def test_a_clause_missing_from_the_version_is_404_with_a_way_to_its_history(reader, demo_definition):
    response = reader.get(clause_url("1.0", "fees"))
    assert response.status_code == 404
    assert reverse("definition:clause_history", args=["charter", "fees"]) in response.content.decode()
    response = reader.get(clause_url("1.0", "no-such-clause"))
    assert response.status_code == 404
    assert "/history/" not in response.content.decode()


def test_a_clause_removed_later_says_so_instead_of_offering_the_latest(reader, demo_definition):
    html = reader.get(clause_url("0.2", "fees")).content.decode()
    assert "This clause is not in the latest version, 1.0" in html
    assert "Read this clause in the latest version" not in html
    assert "Read this clause in the latest version" in reader.get(clause_url("0.2", "scope")).content.decode()


def test_its_query_count_does_not_grow_with_clauses_or_versions(db, reader):
    make_definition(slug="small", versions={"1": many_clauses(3), "2": many_clauses(3, suffix=" Edited.")})
    make_definition(
        slug="large", versions={str(n): many_clauses(40, suffix=f" Edit {n}.") for n in range(1, 9)}
    )
    small = count_queries(reader, clause_url("2", "c1", slug="small"))
    large = count_queries(reader, clause_url("8", "c1", slug="large"))
    # the definition with its versions, the clause in every version with its neighbours;
    # comments: the page of threads with their count, comments on earlier versions (no comments
    # here, so no query for endorsements: see test_clause_page_comments.py)
    assert small == large == 4
