import uuid

from django import forms

from .models import MAX_BODY_LENGTH, MAX_QUOTE_LENGTH


class TextareaField(forms.CharField):
    """Counts a line break as one character, as the browser's maxlength does: browsers send
    a textarea's line breaks as CR LF."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class CommentForm(forms.Form):
    body = TextareaField(
        label="Your comment (Markdown)",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_BODY_LENGTH,
        strip=False,
        error_messages={
            "max_length": "A comment has at most %(limit_value)d characters (it has %(show_value)d)."
        },
    )
    quote = TextareaField(
        label="Passage you are commenting on (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_QUOTE_LENGTH,
        required=False,
        help_text="Paste the exact words from the clause, or select them in the clause and choose “Comment on this”.",
    )
    on_behalf_of = forms.CharField(
        label="On behalf of an organisation (optional)",
        max_length=200,
        required=False,
        help_text="Only if you are commenting for an organisation, not for yourself.",
    )
    # A fresh value with every form shown: a second submit of the same form stores one comment.
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Write something before posting.")
        return body


class ReplyForm(CommentForm):
    quote = None


class EditForm(forms.Form):
    body = CommentForm.base_fields["body"]
    on_behalf_of = CommentForm.base_fields["on_behalf_of"]

    def clean_body(self):
        return CommentForm.clean_body(self)


class EndorseForm(forms.Form):
    note = forms.CharField(
        label="Add a short note of your own (optional)",
        max_length=280,
        required=False,
        help_text="For example: “I agree, and also…”",
    )


class LookupForm(forms.Form):
    number = forms.CharField(label="Tracking number", max_length=30, help_text="For example DKT-000123.")
