"""The authentication backends (accounts.backends) read a signed-in person's profile and whether
they have a verified address with their user row, fresh on every request."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import AuthenticationBackend, ModelBackend
from comments import actions
from tests.conftest import client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_the_user_comes_with_their_profile_and_whether_they_may_post_in_one_query(backend):
    person = make_user()
    with CaptureQueriesContext(connection) as queries:
        user = backend().get_user(person.pk)
        assert user.profile.name == person.profile.name
        assert user.has_verified_address is True
        assert actions.can_comment(user) == (True, "")
    assert len(queries) == 1


def test_an_unverified_person_and_a_suspended_one_are_told_so():
    unverified = ModelBackend().get_user(make_user(verified=False).pk)
    assert unverified.has_verified_address is False
    assert actions.can_comment(unverified) == (False, "verify")
    suspended = make_user()
    suspended.profile.suspended_at = timezone.now()
    suspended.profile.save()
    assert actions.can_comment(AuthenticationBackend().get_user(suspended.pk)) == (False, "suspended")


def test_an_unverified_address_next_to_a_verified_one_still_counts_as_verified():
    person = make_user()
    EmailAddress.objects.create(user=person, email="second@example.org", verified=False)
    assert ModelBackend().get_user(person.pk).has_verified_address is True


def test_an_inactive_or_missing_person_is_nobody():
    person = make_user()
    person.is_active = False
    person.save()
    assert ModelBackend().get_user(person.pk) is None
    assert ModelBackend().get_user(10**9) is None


def test_a_suspension_takes_effect_on_the_next_request(rf):
    person = make_user()
    client = client_for(person)
    request = rf.get("/")
    request.session = client.session
    assert actions.can_comment(get_user(request)) == (True, "")
    person.profile.suspended_at = timezone.now()
    person.profile.save()
    assert actions.can_comment(get_user(request)) == (False, "suspended")


def test_the_profile_read_with_the_user_is_the_one_the_orm_reads_field_for_field():
    """Built from the user row's columns, converted as the ORM converts them (on SQLite its
    dates and booleans come back as text and numbers)."""
    person = make_user()
    stored = person.profile
    stored.display_name, stored.affiliation = "Ada", "The Society"
    stored.email_on_reply, stored.suspended_at = False, timezone.now()
    stored.save()
    user = ModelBackend().get_user(str(person.pk))  # as the session holds it
    expected = type(stored).objects.get(pk=stored.pk)
    for field in type(stored)._meta.concrete_fields:
        got, want = getattr(user.profile, field.attname), getattr(expected, field.attname)
        assert got == want and type(got) is type(want), field.name
    assert user.profile.user is user  # no query back to the user
    assert not hasattr(user, "profile_column_display_name")  # the columns are not left on the user


def test_a_person_without_a_profile_has_none_as_with_select_related():
    person = make_user()
    person.profile.delete()
    user = ModelBackend().get_user(person.pk)
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(type(person).profile.RelatedObjectDoesNotExist),
    ):
        user.profile  # noqa: B018
    assert len(queries) == 0
    assert actions.can_comment(user) == (True, "")


def test_an_id_that_is_no_number_is_nobody():
    assert ModelBackend().get_user("not a number") is None
