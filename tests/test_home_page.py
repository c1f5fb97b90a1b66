from django.urls import reverse

from tests.conftest import make_definition, many_clauses
from tests.queries import count_queries


def test_with_one_definition_it_goes_straight_to_it(reader, demo_definition):
    response = reader.get(reverse("definition:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("definition:latest", args=["charter"])


def test_with_several_definitions_it_lists_them(db, reader):
    make_definition(slug="alpha", title="Alpha Charter")
    make_definition(slug="beta", title="Beta Charter")
    response = reader.get(reverse("definition:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Charter" in html and "Beta Charter" in html
    assert reverse("definition:latest", args=["beta"]) in html


def test_with_no_definition_it_says_so(db, reader):
    response = reader.get(reverse("definition:home"))
    assert response.status_code == 200
    assert "No definition has been published here yet" in response.content.decode()


def test_its_query_count_does_not_grow_with_definitions(db, reader):
    make_definition(slug="a", versions={"1": many_clauses(1)})
    make_definition(slug="b", versions={"1": many_clauses(1)})
    two = count_queries(reader, reverse("definition:home"))
    for n in range(10):
        make_definition(slug=f"more-{n}", versions={"1": many_clauses(1)})
    assert count_queries(reader, reverse("definition:home")) == two == 1  # the definitions
