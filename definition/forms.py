from django import forms
from django.utils import timezone

from .models import validate_clause_key, validate_label

LEVEL_CHOICES = [(n, f"Level {n} ({'#' * n})") for n in range(2, 7)]
MAX_UPLOAD_BYTES = 1_000_000


class StartDraftForm(forms.Form):
    label = forms.CharField(
        label="Label of the new version",
        max_length=40,
        validators=[validate_label],
        help_text="For example 0.0.9 or 1.0-RC1: letters, digits, hyphens and single dots.",
    )


class ClauseForm(forms.Form):
    key = forms.CharField(
        label="Key",
        max_length=80,
        validators=[validate_clause_key],
        help_text="Part of the clause's permanent address: lower-case letters, digits and hyphens. "
        "It cannot change once the clause has been published.",
    )
    heading = forms.CharField(label="Heading", max_length=300)
    level = forms.TypedChoiceField(label="Heading level", choices=LEVEL_CHOICES, coerce=int, initial=2)
    body = forms.CharField(
        label="Text (Markdown)", widget=forms.Textarea(attrs={"rows": 12}), required=False, strip=False
    )


class EditClauseForm(ClauseForm):
    # Only compared with the saved revision, to catch a concurrent edit; never trusted otherwise.
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AddClauseForm(ClauseForm):
    position = forms.TypedChoiceField(label="Place", coerce=int)

    def __init__(self, *args, texts=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(0, "At the start")]
        choices += [(i + 1, f"After {t.number} {t.title}".replace("  ", " ")) for i, t in enumerate(texts)]
        self.fields["position"].choices = choices
        self.fields["position"].initial = len(texts)


class MoveForm(forms.Form):
    position = forms.IntegerField(label="Move to position", min_value=1)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="Markdown file", help_text="UTF-8 text, at most 1 MB, in the import format.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB.")
        raw = upload.read()
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                f"The file is not UTF-8 text (byte {exc.start} cannot be read)."
            ) from None
        return upload


class ImportMappingForm(forms.Form):
    """One choice per uploaded clause: which clause of the previous version it continues."""

    def __init__(self, *args, rows, previous_texts, **kwargs):
        super().__init__(*args, **kwargs)
        options = [("", "A new clause")] + [
            (t.clause.key, f"{t.number} {t.title} ({t.clause.key})".strip()) for t in previous_texts
        ]
        self.rows = rows
        for index, row in enumerate(rows):
            self.fields[f"clause_{index}"] = forms.ChoiceField(
                label=f"“{row.parsed.heading or 'Introduction'}” (line {row.parsed.line}) continues",
                choices=options,
                required=False,
                initial=row.key if row.previous is not None else "",
            )

    def choices(self) -> list[str]:
        return [self.cleaned_data[f"clause_{i}"] for i in range(len(self.rows))]

    def clean(self):
        cleaned = super().clean()
        chosen = [value for name, value in cleaned.items() if name.startswith("clause_") and value]
        duplicates = sorted({c for c in chosen if chosen.count(c) > 1})
        if duplicates:
            raise forms.ValidationError(
                f"An earlier clause can continue in one clause only; chosen more than once: {', '.join(duplicates)}."
            )
        return cleaned


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PublishForm(forms.Form):
    release_notes = forms.CharField(
        label="Release notes (Markdown)", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    comments_close_at = forms.DateTimeField(
        label="Comments on this version close at (UTC, optional)",
        required=False,
        widget=DateTimeLocalInput(),
        help_text="Leave empty to keep comments open until a steward closes them.",
    )
    close_previous = forms.BooleanField(
        label="Close comments on the previous version now", required=False, initial=True
    )

    def clean_comments_close_at(self):
        value = self.cleaned_data["comments_close_at"]
        if value is not None and value <= timezone.now():
            raise forms.ValidationError("Choose a time in the future, or leave it empty.")
        return value


class CommentPeriodForm(forms.Form):
    action = forms.ChoiceField(choices=[("open", "Open"), ("close", "Close")], widget=forms.HiddenInput)
    close_at = forms.DateTimeField(
        label="Close at (UTC, optional)", required=False, widget=DateTimeLocalInput()
    )

    def clean(self):
        cleaned = super().clean()
        close_at = cleaned.get("close_at")
        if cleaned.get("action") == "open" and close_at is not None and close_at <= timezone.now():
            self.add_error("close_at", "To open comments, choose a closing time in the future, or none.")
        return cleaned
