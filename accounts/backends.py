"""The authentication backends, reading a signed-in person's profile and whether they have a
verified address with their user row: every signed-in page asks whether they may comment
(comments.actions.can_comment), and a post asks again, so this saves a query on each. The query
is compiled once per process (docket.prepared) and the profile built from its columns.

Sessions name the backend that signed the person in; a session naming another backend than these
is signed out once."""

from allauth.account import auth_backends
from allauth.account.models import EmailAddress
from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL

from docket.prepared import Prepared

from .models import Profile

User = get_user_model()


def _has_verified_address() -> RawSQL:
    # Written out: building the same EXISTS through the ORM (Exists, OuterRef) took longer than
    # the rest of the query, on every signed-in request.
    address, user = EmailAddress._meta.db_table, User._meta.db_table
    return RawSQL(
        f'EXISTS (SELECT 1 FROM "{address}" WHERE "{address}"."user_id" = "{user}"."id" '
        f'AND "{address}"."verified" = %s)',
        (True,),
        output_field=BooleanField(),
    )


# The profile's columns, read with the user row under names of their own.
_PROFILE_FIELDS = Profile._meta.concrete_fields
_COLUMN = "profile_column_{}".format

# Built and compiled once per process (docket.prepared): building this query through the ORM,
# on every signed-in request, took three times as long as running it.
_USER_WITH_PROFILE = Prepared(
    User,
    lambda user_id: User._default_manager.filter(pk=user_id).annotate(
        has_verified_address=_has_verified_address(),
        **{_COLUMN(field.attname): F(f"profile__{field.attname}") for field in _PROFILE_FIELDS},
    ),
    "user_id",
)


def _user_with_profile(user_id):
    """The user with their profile (as select_related("profile") gives it) and whether they
    have a verified address, or None."""
    try:
        user_id = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    found = _USER_WITH_PROFILE(user_id=user_id)
    if not found:
        return None
    user = found[0]
    connection = connections[user._state.db]
    values = {}
    for field in _PROFILE_FIELDS:
        # Converted as the ORM converts a column it reads (SQLite's dates and booleans).
        value, column = user.__dict__.pop(_COLUMN(field.attname)), field.get_col(Profile._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(connection):
            value = convert(value, column, connection)
        values[field.attname] = value
    profile = None
    if values[Profile._meta.pk.attname] is not None:  # None: the person has no profile
        profile = Profile.from_db(user._state.db, list(values), list(values.values()))
        Profile._meta.get_field("user").set_cached_value(profile, user)
    User._meta.get_field("profile").set_cached_value(user, profile)
    user.has_verified_address = bool(user.has_verified_address)
    return user


class _ReadsProfile:
    def get_user(self, user_id):
        user = _user_with_profile(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_ReadsProfile, backends.ModelBackend):
    """Django's: a username and password (the admin's sign-in)."""


class AuthenticationBackend(_ReadsProfile, auth_backends.AuthenticationBackend):
    """allauth's: an email address or username and password (the site's sign-in)."""
