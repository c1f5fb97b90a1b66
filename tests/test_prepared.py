"""docket.prepared: a queryset compiled once, run with each call's values, gives what the ORM
gives; a value the SQL would inline is refused at once."""

from unittest import mock

import pytest
from django.db.models import F

from accounts.models import Profile
from comments.models import Comment
from docket.prepared import Prepared
from tests.conftest import make_comment, make_user


def by_author(author_id):
    return (
        Comment.objects.filter(author_id=author_id)
        .only("body_html", "created_at")
        .annotate(author_name_column=F("author__profile__display_name"))
        .order_by("pk")
    )


@pytest.fixture
def two_authors(demo_definition):
    version = demo_definition.versions.get(label="1.0")
    ada, bo = make_user(), make_user()
    for person, name in [(ada, "Ada"), (bo, "Bo")]:
        Profile.objects.update_or_create(user=person, defaults={"display_name": name})
    for author, body in [(ada, "First."), (bo, "Second."), (ada, "Third.")]:
        make_comment(author, version, body=body)
    return ada, bo


def test_each_call_gets_the_rows_of_its_own_values_as_the_orm_does(two_authors):
    query = Prepared(Comment, by_author, "author_id")
    for author in two_authors:
        got = query(author_id=author.pk)
        expected = list(by_author(author.pk))
        assert [c.pk for c in got] == [c.pk for c in expected] and got
        assert [(c.body_html, c.created_at, c.author_name_column) for c in got] == [
            (c.body_html, c.created_at, c.author_name_column) for c in expected
        ]
        # Fields not selected are deferred, as with only().
        assert got[0].get_deferred_fields() == expected[0].get_deferred_fields()


def test_it_is_built_and_compiled_once_per_shape(two_authors):
    ada, bo = two_authors
    build = mock.Mock(side_effect=lambda limit, author_id: by_author(author_id)[:limit])
    query = Prepared(Comment, build, "author_id")
    assert len(query(1, author_id=ada.pk)) == 1
    assert len(query(1, author_id=bo.pk)) == 1
    assert len(query(5, author_id=ada.pk)) == 2
    assert build.call_count == 2  # one per shape (the limit), not one per call


def test_a_value_the_sql_would_inline_is_refused_when_first_compiled(two_authors):
    query = Prepared(Comment, lambda limit: Comment.objects.all()[:limit], "limit")
    with pytest.raises(ValueError, match="limit not among its parameters"):
        query(limit=3)
