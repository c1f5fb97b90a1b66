from django import forms

from comments.models import Comment, parse_tracking_number

from .models import Disposition, DispositionResponse, Flag


class FlagForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Flag.Reason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", "Say what the problem is.")
        return cleaned

    reason = forms.ChoiceField(
        label="Why should moderators look at it?", choices=Flag.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Anything they should know (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Public reason", max_length=500, required=False, help_text="Shown in the public moderation log."
    )


class DispositionForm(forms.Form):
    status = forms.ChoiceField(label="Disposition", choices=[("", "Choose…"), *Disposition.Status.choices])
    rationale = forms.CharField(
        label="Rationale (Markdown)",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    addressed_in = forms.TypedChoiceField(
        label="Addressed in version", required=False, coerce=int, empty_value=None
    )
    clauses = forms.MultipleChoiceField(
        label="Clauses revised for it", required=False, widget=forms.CheckboxSelectMultiple
    )
    duplicate_of = forms.CharField(label="Duplicate of (tracking number)", required=False, max_length=30)

    def __init__(self, *args, definition, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        versions = definition.versions.published().order_by("-sequence")
        self.fields["addressed_in"].choices = [("", "Not addressed in a version")] + [
            (v.pk, v.label) for v in versions
        ]
        latest = versions.first()
        headings = {}
        if latest is not None:
            headings = {
                t.clause.key: f"{t.number} {t.title}".strip()
                for t in latest.clause_texts.select_related("clause").order_by("position")
            }
        self.fields["clauses"].choices = [
            (c.key, f"{headings[c.key]} ({c.key})" if c.key in headings else c.key)
            for c in definition.clauses.order_by("key")
        ]

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        number = cleaned.get("duplicate_of")
        cleaned["duplicate_comment"] = None
        if status == Disposition.Status.DUPLICATE:
            pk = parse_tracking_number(number)
            original = (
                Comment.objects.filter(pk=pk, version__definition=self.definition).first() if pk else None
            )
            if original is None:
                self.add_error("duplicate_of", "Give the tracking number of a comment on this definition.")
            cleaned["duplicate_comment"] = original
        if cleaned.get("addressed_in"):
            cleaned["addressed_version"] = (
                self.definition.versions.published().filter(pk=cleaned["addressed_in"]).first()
            )
        else:
            cleaned["addressed_version"] = None
        cleaned["clause_objects"] = list(self.definition.clauses.filter(key__in=cleaned.get("clauses") or []))
        return cleaned


class ResponseForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Your answer", choices=DispositionResponse.Verdict.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=2_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExternalCommentForm(forms.Form):
    external_author = forms.CharField(
        label="Who made the comment", max_length=200, help_text="A name, or an organisation."
    )
    source = forms.CharField(
        label="Where it was made",
        max_length=100,
        help_text="For example: forum, email, town-hall call of 3 May.",
    )
    source_url = forms.URLField(
        label="Link to it (optional)", required=False, max_length=500, assume_scheme="https"
    )
    quote = forms.CharField(
        label="Passage it concerns (optional)",
        required=False,
        max_length=1_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(
        label="The comment (Markdown)", max_length=10_000, widget=forms.Textarea(attrs={"rows": 8})
    )
