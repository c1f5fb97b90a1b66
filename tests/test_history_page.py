from django.urls import reverse

from tests.conftest import make_definition, many_clauses
from tests.queries import count_queries


def history_url(key, slug="charter"):
    return reverse("definition:clause_history", args=[slug, key])


def test_it_lists_every_version_of_the_clause_newest_first(reader, demo_definition):
    response = reader.get(history_url("scope"))
    assert response.status_code == 200
    labels = [entry["version"].label for entry in response.context["entries"]]
    assert labels == ["1.0", "0.2", "0.1"]


def test_it_shows_the_changes_between_consecutive_versions(reader, demo_definition):
    html = reader.get(history_url("scope")).content.decode()
    assert "<ins> community</ins>" in html
    assert "<ins> and orchards</ins>" in html
    assert "First appears in this version" in html


def test_a_rename_shows_the_heading_change(reader, demo_definition):
    html = reader.get(history_url("members")).content.decode()
    assert "<del>Members</del><ins>Membership</ins>" in html


def test_a_removed_clause_says_when_it_was_removed(reader, demo_definition):
    response = reader.get(history_url("fees"))
    html = response.content.decode()
    assert "This clause was removed in version 1.0" in html
    assert [e["version"].label for e in response.context["entries"]] == ["1.0", "0.2", "0.1"]


def test_a_clause_that_returns_is_marked_restored(db, reader):
    make_definition(
        slug="charter",
        versions={
            "1": [("a", "A", "Alpha."), ("b", "B", "Beta.")],
            "2": [("a", "A", "Alpha.")],
            "3": [("a", "A", "Alpha."), ("b", "B", "Beta again.")],
        },
    )
    html = reader.get(history_url("b")).content.decode()
    assert "Restored in this version" in html
    assert "Removed in" in html


def test_an_unknown_clause_is_404(reader, demo_definition):
    assert reader.get(history_url("nothing")).status_code == 404


def test_a_clause_only_in_a_draft_is_404_for_readers(db, reader, steward):
    make_definition(slug="charter", versions={"1.0": many_clauses(1)})
    make_definition(slug="charter", versions={"1.1": many_clauses(2)}, publish=False)
    assert reader.get(history_url("c1")).status_code == 404


def test_its_query_count_does_not_grow_with_versions(db, reader):
    make_definition(slug="small", versions={"1": many_clauses(2), "2": many_clauses(2, suffix=" Edited.")})
    make_definition(
        slug="large", versions={str(n): many_clauses(30, suffix=f" Edit {n}.") for n in range(1, 10)}
    )
    small = count_queries(reader, history_url("c1", slug="small"))
    large = count_queries(reader, history_url("c1", slug="large"))
    # the definition with its versions, clause, its texts; the comments that drove each revision
    assert small == large == 4
