"""Stewards' side of dispositions: triage, recording, comments from other channels, and marking
which comments drove a revision while drafting and publishing."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from comments.models import Comment
from definition import drafting
from definition import steward_views as definition_stewards
from definition.changes import compare_texts
from definition.models import ClauseText, Definition
from definition.steward_views import steward_required

from . import actions, reports
from .forms import DispositionForm, ExternalCommentForm
from .models import Disposition, DraftLink


@steward_required
def triage(request, slug, label):
    definition = get_object_or_404(Definition, slug=slug)
    version = get_object_or_404(definition.versions.published(), label=label)
    clause_key = request.GET.get("clause") or None
    status = request.GET.get("status") or None
    sort = request.GET.get("sort") or "awaiting"
    comments = reports.received(version, clause_key=clause_key, status=status, sort=sort)
    awaiting = sum(1 for c in comments if c.awaiting)
    return render(
        request,
        "moderation/triage.html",
        {
            "definition": definition,
            "version": version,
            "comments": comments,
            "awaiting": awaiting,
            "clauses": version.clause_texts.select_related("clause").order_by("position"),
            "statuses": [(reports.AWAITING, "Awaiting response")] + list(Disposition.Status.choices),
            "filters": {"clause": clause_key or "", "status": status or "", "sort": sort},
        },
    )


@steward_required
def disposition(request, pk):
    comment = get_object_or_404(
        Comment.objects.select_related("author__profile", "version__definition", "clause"),
        pk=pk,
        parent__isnull=True,
    )
    definition = comment.version.definition
    history = comment.dispositions.select_related(
        "decided_by__profile", "addressed_in", "duplicate_of"
    ).prefetch_related("clauses", "responses")
    current = next((d for d in history if d.is_current), None)
    initial = {}
    if current is not None:
        initial = {
            "status": current.status,
            "rationale": current.rationale,
            "addressed_in": current.addressed_in_id or "",
            "clauses": [c.key for c in current.clauses.all()],
            "duplicate_of": current.duplicate_of.tracking_number if current.duplicate_of else "",
        }
    form = DispositionForm(request.POST or None, definition=definition, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.record_disposition(
                    comment=comment,
                    by=request.user,
                    status=data["status"],
                    rationale=data["rationale"],
                    addressed_in=data["addressed_version"],
                    clauses=data["clause_objects"],
                    duplicate_of=data["duplicate_comment"],
                )
            except actions.ModerationError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, f"Disposition recorded for {comment.tracking_number}.")
                back = request.POST.get("back_to_triage")
                if back:
                    return redirect("moderation_stewards:triage", definition.slug, comment.version.label)
                return redirect("moderation_stewards:disposition", comment.pk)
    return render(
        request,
        "moderation/disposition.html",
        {"comment": comment, "definition": definition, "form": form, "history": history, "current": current},
        status=status,
    )


@steward_required
def external(request, slug, label, key):
    definition = get_object_or_404(Definition, slug=slug)
    clause_text = get_object_or_404(
        ClauseText.objects.select_related("version", "clause"),
        version__definition=definition,
        version__label=label,
        version__status="published",
        clause__key=key,
    )
    form = ExternalCommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                comment = actions.enter_external_comment(
                    clause_text=clause_text, steward=request.user, **form.cleaned_data
                )
            except actions.ModerationError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(
                    request, f"Entered as {comment.tracking_number}; record its disposition when ready."
                )
                return redirect("comments:permalink", comment.pk)
    return render(
        request,
        "moderation/external.html",
        {"definition": definition, "clause_text": clause_text, "form": form},
        status=status,
    )


def open_comments_on(definition, clause_ids, up_to_sequence) -> dict[int, list[Comment]]:
    """Thread-starting comments on these clauses, made on published versions up to a point, with
    no disposition yet (or one deferred): what a steward may mark as driving a change."""
    comments = (
        Comment.objects.filter(
            clause_id__in=clause_ids,
            parent__isnull=True,
            version__definition=definition,
            version__status="published",
            version__sequence__lte=up_to_sequence,
            status=Comment.Status.VISIBLE,
        )
        # Already recorded as driving a revision: not offered again. Any other (noted, declined,
        # deferred...) may still turn out to drive this change.
        .exclude(
            dispositions__is_current=True,
            dispositions__status__in=Disposition.DROVE_REVISION,
            dispositions__addressed_in__isnull=False,
        )
        .select_related("author__profile", "version")
        .order_by("created_at", "pk")
    )
    by_clause: dict[int, list[Comment]] = {}
    for comment in comments:
        by_clause.setdefault(comment.clause_id, []).append(comment)
    return by_clause


class LinkComments(definition_stewards.PublishHooks):
    """The moderation app's part in editing and publishing a draft."""

    template = "definition/steward/publish.html"

    def extend(self, request, context):
        draft, definition = context["draft"], context["definition"]
        base = context.get("base") or drafting.latest_published(definition)
        sequence = base.sequence if base else 0
        links = {(link.comment_id, link.clause_id): link for link in DraftLink.objects.filter(version=draft)}
        if "rows" in context:  # the publish page: every changed clause
            changed = [row for row in context["rows"] if row.status in ("changed", "renamed", "added")]
            open_by_clause = open_comments_on(definition, [row.text.clause_id for row in changed], sequence)
            for row in changed:
                row.open_comments = open_by_clause.get(row.text.clause_id, [])
                for comment in row.open_comments:
                    comment.link = links.get((comment.pk, row.text.clause_id))
            return {"changed_rows": changed, "extra_template": "moderation/_publish_links.html"}
        text = context["text"]  # the clause edit page
        open_comments = open_comments_on(definition, [text.clause_id], sequence).get(text.clause_id, [])
        for comment in open_comments:
            comment.link = links.get((comment.pk, text.clause_id))
        return {"open_comments": open_comments, "extra_template": "moderation/_edit_links.html"}

    def after_publish(self, request, version):
        chosen = {}
        for name, value in request.POST.items():
            if not name.startswith("drove_") or value not in ("accepted", "partially-accepted"):
                continue
            comment_id, _, clause_key = name.removeprefix("drove_").partition("_")
            clause = version.definition.clauses.filter(key=clause_key).first()
            if not comment_id.isdigit() or clause is None:
                continue
            status, clauses = chosen.setdefault(int(comment_id), [value, []])
            if value == "accepted":
                chosen[int(comment_id)][0] = "accepted"
            clauses.append(clause)
        # Only clauses that changed in this version, and only comments that really were open on
        # them, count, whatever the form says.
        previous = (
            version.definition.versions.published()
            .filter(sequence__lt=version.sequence)
            .order_by("-sequence")
            .first()
        )
        if previous is not None:
            old = list(previous.clause_texts.select_related("clause"))
            new = list(version.clause_texts.select_related("clause"))
            changed = {
                row.text.clause_id
                for row in compare_texts(old, new)
                if row.status in ("changed", "renamed", "added")
            }
            for entry in chosen.values():
                entry[1] = [clause for clause in entry[1] if clause.pk in changed]
            chosen = {pk: entry for pk, entry in chosen.items() if entry[1]}
        base_sequence = version.sequence - 1
        allowed = {
            c.pk
            for comments in open_comments_on(
                version.definition, [cl.pk for _, cls in chosen.values() for cl in cls], base_sequence
            ).values()
            for c in comments
        }
        links = {pk: (status, clauses) for pk, (status, clauses) in chosen.items() if pk in allowed}
        actions.record_revisions(version=version, by=request.user, links=links)


LINK_COMMENTS = LinkComments()


@steward_required
def publish(request, slug):
    return definition_stewards.publish(request, slug, hooks=LINK_COMMENTS)


@steward_required
def edit_clause(request, slug, key):
    return definition_stewards.edit_clause(request, slug, key, hooks=LINK_COMMENTS)


@require_POST
@steward_required
def draft_link(request, slug, key):
    definition = get_object_or_404(Definition, slug=slug)
    draft = definition.versions.drafts().first()
    if draft is None:
        raise Http404("This definition has no draft.")
    clause = get_object_or_404(definition.clauses, key=key)
    base = drafting.latest_published(definition)
    open_comments = open_comments_on(definition, [clause.pk], base.sequence if base else 0).get(clause.pk, [])
    comment = next((c for c in open_comments if str(c.pk) == request.POST.get("comment")), None)
    if comment is None:
        messages.error(request, "That comment is not open on this clause.")
    else:
        value = request.POST.get("drove", "")
        actions.toggle_draft_link(
            draft=draft,
            comment=comment,
            clause=clause,
            by=request.user,
            partial=value == "partially-accepted",
            linked=value in ("accepted", "partially-accepted"),
        )
        messages.success(
            request, f"Marked {comment.tracking_number}." if value else f"Unmarked {comment.tracking_number}."
        )
    return redirect("stewards:edit_clause", definition.slug, key)
