from django.urls import reverse

from tests.conftest import client_for, make_definition, many_clauses
from tests.queries import count_queries


def version_url(slug, label):
    return reverse("definition:version", args=[slug, label])


def test_it_shows_every_clause_with_number_heading_text_and_anchor(reader, demo_definition):
    response = reader.get(version_url("charter", "1.0"))
    html = response.content.decode()
    assert response.status_code == 200
    for key, heading in [("scope", "Scope"), ("members", "Membership"), ("meetings", "Meetings")]:
        assert f'id="{key}"' in html
        assert heading in html
        assert reverse("definition:clause", args=["charter", "1.0", key]) in html
    assert "community gardens and orchards" in html
    assert '<span class="clause-number">1</span>' in html


def test_it_has_a_table_of_contents_linking_to_each_clause(reader, demo_definition):
    html = reader.get(version_url("charter", "1.0")).content.decode()
    toc = html[html.index('class="toc"') : html.index("</nav>", html.index('class="toc"'))]
    for key in ["scope", "members", "meetings"]:
        assert f'href="#{key}"' in toc


def test_the_version_switcher_links_every_published_version(reader, demo_definition):
    html = reader.get(version_url("charter", "0.2")).content.decode()
    for label in ["0.1", "1.0"]:
        assert f'href="{version_url("charter", label)}"' in html
    assert '<span aria-current="page">0.2</span>' in html


def test_it_marks_clauses_changed_since_the_previous_version(reader, demo_definition):
    html = reader.get(version_url("charter", "0.2")).content.decode()
    assert "Changed in 0.2" in html  # scope was edited
    assert "Renamed in 0.2" in html  # members became Membership
    assert "New in 0.2" in html  # meetings was added
    fees = html[html.index('id="fees"') :]
    fees = fees[: fees.index("</section>")]
    assert "in 0.2" not in fees  # unchanged clause carries no mark


def test_the_first_version_has_no_change_marks(reader, demo_definition):
    html = reader.get(version_url("charter", "0.1")).content.decode()
    assert "Changed in" not in html and "New in" not in html


def test_the_definition_address_shows_the_latest_published_version(reader, demo_definition):
    response = reader.get(reverse("definition:latest", args=["charter"]))
    assert response.status_code == 200
    assert response.context["version"].label == "1.0"


def test_an_older_version_says_it_is_not_the_latest(reader, demo_definition):
    html = reader.get(version_url("charter", "0.1")).content.decode()
    assert "This is not the latest version" in html


def test_an_unknown_version_is_404(reader, demo_definition):
    assert reader.get(version_url("charter", "9.9")).status_code == 404
    assert reader.get(version_url("nothing", "1.0")).status_code == 404


def test_a_draft_is_hidden_from_readers_and_commenters_but_shown_to_stewards(db, commenter, steward):
    make_definition(slug="charter", versions={"1.0": many_clauses(2)})
    make_definition(slug="charter", versions={"1.1": many_clauses(3)}, publish=False)
    url = version_url("charter", "1.1")
    assert client_for(None).get(url).status_code == 404
    assert client_for(commenter).get(url).status_code == 404
    response = client_for(steward).get(url)
    assert response.status_code == 200
    assert "visible to stewards only" in response.content.decode()
    # The definition's own address still shows the latest *published* version to everyone.
    assert (
        client_for(steward).get(reverse("definition:latest", args=["charter"])).context["version"].label
        == "1.0"
    )


def test_a_definition_with_nothing_published_is_hidden_from_readers(db, reader, commenter, steward):
    make_definition(slug="charter", title="Secret Charter", versions={"0.1": many_clauses(2)}, publish=False)
    url = reverse("definition:latest", args=["charter"])
    assert reader.get(url).status_code == 404
    assert client_for(commenter).get(url).status_code == 404
    assert "Secret Charter" not in reader.get(reverse("definition:home")).content.decode()
    response = client_for(steward).get(url)
    assert response.status_code == 200
    assert "No version of this definition has been published yet" in response.content.decode()


def test_it_lists_the_clauses_removed_since_the_previous_version(reader, demo_definition):
    html = reader.get(version_url("charter", "1.0")).content.decode()
    assert "Removed since 0.2:" in html
    assert reverse("definition:clause_history", args=["charter", "fees"]) in html


def test_its_query_count_does_not_grow_with_clauses_or_versions(db, reader):
    make_definition(slug="small", versions={"1": many_clauses(2), "2": many_clauses(2, suffix=" Edited.")})
    make_definition(
        slug="large",
        versions={str(n): many_clauses(40, suffix=f" Edit {n}.") for n in range(1, 9)},
    )
    small = count_queries(reader, version_url("small", "2"))
    large = count_queries(reader, version_url("large", "8"))
    # the definition with its versions, clause texts, previous version's texts, comment counts
    assert small == large == 4


def test_it_names_who_published_it_by_their_public_name_never_their_email(reader, steward, db):
    from accounts.models import Profile

    definition = make_definition(publish=False)
    version = definition.versions.get()
    version.publish(by=steward)
    html = reader.get(version_url(definition.slug, version.label)).content.decode()
    assert f"by Participant {steward.pk}" in html
    assert steward.email not in html
    Profile.objects.filter(user=steward).update(display_name="Grace Steward")
    assert "by Grace Steward" in reader.get(version_url(definition.slug, version.label)).content.decode()
