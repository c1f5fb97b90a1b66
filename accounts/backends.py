"""The authentication backends, reading a signed-in person's profile and whether they have a
verified address with their user row: every signed-in page asks whether they may comment
(comments.actions.can_comment), and a post asks again, so this saves a query on each.

Sessions name the backend that signed the person in; a session naming another backend than these
is signed out once."""

from allauth.account import auth_backends
from allauth.account.models import EmailAddress
from django.contrib.auth import backends, get_user_model
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

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


class _ReadsProfile:
    def get_user(self, user_id):
        user = (
            User._default_manager.select_related("profile")
            .annotate(has_verified_address=_has_verified_address())
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_ReadsProfile, backends.ModelBackend):
    """Django's: a username and password (the admin's sign-in)."""


class AuthenticationBackend(_ReadsProfile, auth_backends.AuthenticationBackend):
    """allauth's: an email address or username and password (the site's sign-in)."""
