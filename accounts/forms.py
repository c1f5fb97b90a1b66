from django import forms

from .models import Profile


class SignupExtraForm(forms.Form):
    """Added to allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label="Name shown with your comments",
        max_length=80,
        help_text="Your real name or a name you are known by. Your email address is never shown.",
    )

    def signup(self, request, user):
        profile, _ = Profile.objects.get_or_create(user=user)
        profile.display_name = self.cleaned_data["display_name"].strip()
        profile.save()


class ProfileForm(forms.ModelForm):
    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Give the name shown with your comments.")
        return name

    class Meta:
        model = Profile
        fields = ["display_name", "affiliation", "email_on_reply", "email_receipts", "email_on_disposition"]
