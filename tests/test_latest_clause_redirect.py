from django.urls import reverse

from tests.conftest import make_definition, many_clauses


def latest_url(key, slug="charter"):
    return reverse("definition:latest_clause", args=[slug, key])


def test_it_redirects_to_the_clause_in_the_newest_version(reader, demo_definition):
    response = reader.get(latest_url("scope"))
    assert response.status_code == 302
    assert response["Location"] == reverse("definition:clause", args=["charter", "1.0", "scope"])


def test_a_removed_clause_leads_to_its_history_not_a_404(reader, demo_definition):
    response = reader.get(latest_url("fees"))
    assert response.status_code == 302
    assert response["Location"] == reverse("definition:clause_history", args=["charter", "fees"])
    assert reader.get(response["Location"]).status_code == 200


def test_it_ignores_drafts(db, reader):
    make_definition(slug="charter", versions={"1.0": many_clauses(2)})
    make_definition(slug="charter", versions={"2.0": many_clauses(3)}, publish=False)
    response = reader.get(latest_url("c1"))
    assert response["Location"] == reverse("definition:clause", args=["charter", "1.0", "c1"])
    # A clause that so far exists only in the draft is unknown to readers.
    assert reader.get(latest_url("c2")).status_code == 404


def test_an_unknown_clause_is_404(reader, demo_definition):
    assert reader.get(latest_url("nothing")).status_code == 404
