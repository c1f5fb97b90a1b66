"""The stewards' pages: dashboard, the draft workspace, importing and publishing.

Every view here is for stewards (and superusers) only: anonymous visitors are sent to sign in,
anyone else gets 403 before anything about a draft is looked up, so nothing leaks.
"""

import re
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from docket import markdown

from . import drafting
from .changes import compare_texts
from .forms import (
    AddClauseForm,
    CommentPeriodForm,
    EditClauseForm,
    ImportMappingForm,
    ImportUploadForm,
    MoveForm,
    PublishForm,
    StartDraftForm,
)
from .importer import ImportProblem
from .models import ClauseText, Definition, DraftImport, StewardAction, Version, is_steward


def steward_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_steward(request.user):
            raise PermissionDenied("Only stewards can do this.")
        return view(request, *args, **kwargs)

    return wrapper


def _draft_or_404(slug) -> tuple[Definition, Version]:
    definition = get_object_or_404(Definition, slug=slug)
    draft = definition.versions.drafts().first()
    if draft is None:
        raise Http404("This definition has no draft.")
    return definition, draft


def _texts(version) -> list[ClauseText]:
    return list(version.clause_texts.select_related("clause").order_by("position"))


def suggest_label(latest: str | None) -> str:
    """The label after `latest`: 0.2 -> 0.3, 1.0-RC1 -> 1.0-RC2; 0.1 when there is none."""
    if not latest:
        return "0.1"
    match = re.search(r"(\d+)(\D*)$", latest)
    if not match:
        return f"{latest}-1"
    return f"{latest[: match.start(1)]}{int(match.group(1)) + 1}{match.group(2)}"


@steward_required
@require_GET
def dashboard(request):
    definitions = list(Definition.objects.order_by("title"))
    versions = list(
        Version.objects.select_related("published_by")
        .annotate(
            clause_count=Count("clause_texts", distinct=True),
            pending_imports=Count("imports", filter=Q(imports__accepted_at__isnull=True), distinct=True),
        )
        .order_by("definition_id", "-sequence")
    )
    soon = timezone.now() + timezone.timedelta(days=7)
    for definition in definitions:
        mine = [v for v in versions if v.definition_id == definition.pk]
        definition.draft = next((v for v in mine if not v.is_published), None)
        definition.recent = [v for v in mine if v.is_published][:5]
        latest = definition.recent[0].label if definition.recent else None
        definition.start_form = StartDraftForm(
            initial={"label": suggest_label(latest)}, auto_id=f"start_{definition.slug}_%s"
        )
        definition.waiting = []
        if definition.draft is not None:
            definition.waiting.append(f"Draft {definition.draft.label} is not published yet.")
            if definition.draft.pending_imports:
                definition.waiting.append(
                    f"{definition.draft.pending_imports} uploaded import(s) wait for their mapping to be checked."
                )
        for version in definition.recent:
            if version.comments_close_at and timezone.now() < version.comments_close_at <= soon:
                definition.waiting.append(
                    f"Comments on {version.label} close on {version.comments_close_at:%d %B %Y at %H:%M} UTC."
                )
    actions = list(StewardAction.objects.select_related("actor", "definition")[:25])
    return render(
        request, "definition/steward/dashboard.html", {"definitions": definitions, "actions": actions}
    )


@steward_required
@require_GET
def draft(request, slug):
    definition = get_object_or_404(Definition, slug=slug)
    draft = definition.versions.drafts().first()
    base = drafting.latest_published(definition)
    if draft is None:
        form = StartDraftForm(initial={"label": suggest_label(base.label if base else None)})
        return render(
            request,
            "definition/steward/no_draft.html",
            {"definition": definition, "base": base, "form": form},
        )
    return _render_draft(request, definition, draft, base)


def _render_draft(request, definition, draft, base, *, status=200):
    texts = _texts(draft)
    if base is not None:
        for row in compare_texts(_texts(base), texts):
            if row.new is not None:
                row.new.change = row.status  # the same objects as in `texts`
    actions = StewardAction.objects.filter(definition=definition, version_label=draft.label).select_related(
        "actor", "definition"
    )[:15]
    pending = draft.imports.filter(accepted_at__isnull=True).order_by("-created_at")
    return render(
        request,
        "definition/steward/draft.html",
        {
            "definition": definition,
            "draft": draft,
            "base": base,
            "texts": texts,
            "actions": actions,
            "pending": pending,
        },
        status=status,
    )


@steward_required
@require_POST
def start(request, slug):
    definition = get_object_or_404(Definition, slug=slug)
    form = StartDraftForm(request.POST)
    if form.is_valid():
        try:
            draft = drafting.start_draft(
                definition=definition, label=form.cleaned_data["label"], by=request.user
            )
        except drafting.DraftError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"Draft {draft.label} started from the latest published version.")
            return redirect("stewards:draft", definition.slug)
    base = drafting.latest_published(definition)
    return render(
        request,
        "definition/steward/no_draft.html",
        {"definition": definition, "base": base, "form": form},
        status=400,
    )


@steward_required
def discard(request, slug):
    definition, draft = _draft_or_404(slug)
    if request.method == "POST":
        drafting.discard_draft(draft=draft, by=request.user)
        messages.success(request, f"Draft {draft.label} was discarded.")
        return redirect("stewards:dashboard")
    return render(
        request, "definition/steward/confirm_discard.html", {"definition": definition, "draft": draft}
    )


@steward_required
@require_POST
def renumber(request, slug):
    definition, draft = _draft_or_404(slug)
    drafting.renumber(draft=draft, by=request.user)
    messages.success(request, "Clauses renumbered from the outline.")
    return redirect("stewards:draft", definition.slug)


def _preview(form):
    """Rendered Markdown for the "Preview" button, which works without JavaScript."""
    if form.is_bound and "preview" in form.data:
        return markdown.render(form.data.get("body", ""))
    return None


class PublishHooks:
    """How another app takes part in editing and publishing without this app knowing it:
    `extend` adds to the page's context (an `extra_template` there is included in the form),
    `after_publish` runs inside the publishing transaction."""

    template = "definition/steward/publish.html"

    def extend(self, request, context) -> dict:
        return {}

    def after_publish(self, request, version) -> None:
        pass


NO_HOOKS = PublishHooks()


@steward_required
def edit_clause(request, slug, key, *, hooks=NO_HOOKS):
    definition, draft = _draft_or_404(slug)
    text = get_object_or_404(ClauseText.objects.select_related("clause"), version=draft, clause__key=key)
    initial = {
        "key": text.clause.key,
        "heading": text.heading,
        "level": text.level,
        "body": text.body,
        "revision": text.revision,
    }
    form = EditClauseForm(request.POST or None, initial=initial)
    context = {"definition": definition, "draft": draft, "text": text, "form": form, "conflict": None}
    status = 200
    if request.method == "POST" and "preview" in request.POST:
        context["preview"] = _preview(form)
        form.is_valid()
    elif request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = drafting.edit_clause(
                    draft=draft,
                    key=key,
                    expected_revision=data["revision"],
                    heading=data["heading"],
                    level=data["level"],
                    body=data["body"],
                    new_key=data["key"],
                    by=request.user,
                )
            except drafting.EditConflict as conflict:
                # Show both texts; re-saving now deliberately replaces the other steward's text.
                context["conflict"] = conflict.current
                context["form"] = form = EditClauseForm(
                    initial={**form.cleaned_data, "revision": conflict.current.revision}
                )
                status = 409
            except drafting.DraftError as error:
                form.add_error(error.field, error.message)
                status = 400
            else:
                messages.success(request, f"Saved “{saved.heading}”.")
                return redirect(reverse("stewards:draft", args=[definition.slug]) + f"#{saved.clause.key}")
        else:
            status = 400
    context.update(hooks.extend(request, context))
    return render(request, "definition/steward/clause_form.html", context, status=status)


@steward_required
def add_clause(request, slug):
    definition, draft = _draft_or_404(slug)
    texts = _texts(draft)
    form = AddClauseForm(request.POST or None, texts=texts)
    context = {"definition": definition, "draft": draft, "form": form, "adding": True}
    status = 200
    if request.method == "POST" and "preview" in request.POST:
        context["preview"] = _preview(form)
        form.is_valid()
    elif request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                added = drafting.add_clause(
                    draft=draft,
                    key=data["key"],
                    heading=data["heading"],
                    level=data["level"],
                    body=data["body"],
                    position=data["position"],
                    by=request.user,
                )
            except drafting.DraftError as error:
                form.add_error(error.field, error.message)
                status = 400
            else:
                messages.success(request, f"Added “{added.heading}”.")
                return redirect(reverse("stewards:draft", args=[definition.slug]) + f"#{added.clause.key}")
        else:
            status = 400
    return render(request, "definition/steward/clause_form.html", context, status=status)


@steward_required
def remove_clause(request, slug, key):
    definition, draft = _draft_or_404(slug)
    text = get_object_or_404(ClauseText.objects.select_related("clause"), version=draft, clause__key=key)
    if request.method == "POST":
        drafting.remove_clause(draft=draft, key=key, by=request.user)
        messages.success(request, f"Removed “{text.title}” from the draft.")
        return redirect("stewards:draft", definition.slug)
    return render(
        request,
        "definition/steward/confirm_remove.html",
        {"definition": definition, "draft": draft, "text": text},
    )


@steward_required
@require_POST
def move_clause(request, slug, key):
    definition, draft = _draft_or_404(slug)
    text = get_object_or_404(ClauseText, version=draft, clause__key=key)
    direction = request.POST.get("direction")
    if direction in ("up", "down"):
        to_position = text.position + (-1 if direction == "up" else 1)
    else:
        form = MoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give the position to move the clause to as a whole number from 1.")
            return redirect(reverse("stewards:draft", args=[definition.slug]) + f"#{key}")
        to_position = form.cleaned_data["position"] - 1
    drafting.move_clause(draft=draft, key=key, to_position=to_position, by=request.user)
    return redirect(reverse("stewards:draft", args=[definition.slug]) + f"#{key}")


@steward_required
def import_upload(request, slug):
    definition, draft = _draft_or_404(slug)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                drafting.propose_import(draft=draft, text=form.text)
            except ImportProblem as problem:
                form.add_error("file", f"{problem}")
            else:
                pending = DraftImport.objects.create(
                    version=draft,
                    uploaded_by=request.user,
                    filename=form.cleaned_data["file"].name[:255],
                    text=form.text,
                )
                return redirect("stewards:import_review", definition.slug, pending.pk)
    return render(
        request,
        "definition/steward/import_upload.html",
        {"definition": definition, "draft": draft, "form": form},
        status=status,
    )


@steward_required
def import_review(request, slug, import_id):
    definition, draft = _draft_or_404(slug)
    pending = get_object_or_404(DraftImport, pk=import_id, version=draft)
    if pending.accepted_at is not None:
        messages.info(request, "That import has already been applied.")
        return redirect("stewards:draft", definition.slug)
    document, rows = drafting.propose_import(draft=draft, text=pending.text)
    parsed_rows = [row for row in rows if row.parsed is not None]
    base = drafting.latest_published(definition)
    previous_texts = _texts(base) if base else []
    form = ImportMappingForm(request.POST or None, rows=parsed_rows, previous_texts=previous_texts)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                drafting.accept_import(draft_import=pending, choices=form.choices(), by=request.user)
            except drafting.DraftError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Imported {pending.filename} into draft {draft.label}.")
                return redirect("stewards:draft", definition.slug)
    fields = [form[f"clause_{i}"] for i in range(len(parsed_rows))]
    return render(
        request,
        "definition/steward/import_review.html",
        {
            "definition": definition,
            "draft": draft,
            "base": base,
            "pending": pending,
            "document": document,
            "rows": list(zip(parsed_rows, fields, strict=True)),
            "removed": [row for row in rows if row.parsed is None],
            "form": form,
        },
        status=status,
    )


@steward_required
def publish(request, slug, *, hooks=NO_HOOKS):
    definition, draft = _draft_or_404(slug)
    base = drafting.latest_published(definition)
    form = PublishForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():
                    version = drafting.publish_draft(
                        draft=draft,
                        by=request.user,
                        release_notes=form.cleaned_data["release_notes"],
                        comments_close_at=form.cleaned_data["comments_close_at"],
                        close_previous=form.cleaned_data["close_previous"],
                    )
                    hooks.after_publish(request, version)
            except drafting.DraftError as error:
                form.add_error(None, error.message)
                status = 409
            else:
                messages.success(request, f"Version {version.label} is published.")
                return redirect("definition:version", definition.slug, version.label)
    counts = {}
    rows = compare_texts(_texts(base), _texts(draft)) if base is not None else []
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    context = {
        "definition": definition,
        "draft": draft,
        "base": base,
        "form": form,
        "counts": counts,
        "rows": rows,
    }
    context.update(hooks.extend(request, context))
    return render(request, hooks.template, context, status=status)


@steward_required
@require_POST
def preview_markdown(request, slug):
    """The sanitised HTML of some Markdown: the live preview of the clause form (JavaScript)."""
    get_object_or_404(Definition, slug=slug)
    return HttpResponse(markdown.render(request.POST.get("body", "")))


@steward_required
@require_POST
def comment_period(request, slug, label):
    definition = get_object_or_404(Definition, slug=slug)
    version = get_object_or_404(definition.versions.published(), label=label)
    form = CommentPeriodForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Comments on {version.label}: {error}")
        return redirect("stewards:dashboard")
    close_at = timezone.now() if form.cleaned_data["action"] == "close" else form.cleaned_data["close_at"]
    drafting.set_comment_period(version=version, close_at=close_at, by=request.user)
    messages.success(
        request, f"Comments on {version.label} are {'open' if version.comments_open else 'closed'}."
    )
    return redirect("stewards:dashboard")
