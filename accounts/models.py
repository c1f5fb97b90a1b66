from django.conf import settings
from django.db import models


class Profile(models.Model):
    """What others see of a person: a display name and, if they like, an affiliation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField("Name shown with your comments", max_length=80, blank=True)
    affiliation = models.CharField(
        "Affiliation (optional)",
        max_length=120,
        blank=True,
        help_text="Where you work or whom you belong to.",
    )
    email_on_reply = models.BooleanField("Email me when someone replies to my comments", default=True)
    email_receipts = models.BooleanField("Email me a receipt for each comment I post", default=True)
    email_on_disposition = models.BooleanField(
        "Email me when the stewards record what they did with my comment", default=True
    )
    email_on_flags = models.BooleanField("Moderators: email me when a comment is flagged", default=True)
    # Set by a moderator: a suspended person cannot post, reply, endorse or flag; what they
    # wrote stays.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.public_name(self.display_name, self.user_id)

    @staticmethod
    def public_name(display_name: str | None, user_id: int) -> str:
        """What the site calls a person: never the email address, which stays private."""
        return display_name or f"Participant {user_id}"

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


def display_name(user) -> str:
    profile = getattr(user, "profile", None)
    return profile.name if profile else f"Participant {user.pk}"
