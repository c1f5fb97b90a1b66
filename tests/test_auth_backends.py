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
