"""Public pages of the disposition record: what changed and why, the report per version, the
disposition shown with each comment, and the author's answer."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from comments import views as comment_views
from definition import views as reading
from definition.changes import compare_texts
from definition.models import Definition
from docket.pagecache import public_page
from docket.paging import page_number

from . import actions, reports
from .forms import ResponseForm
from .models import Disposition, DispositionResponse


def _published(slug, label):
    definition = get_object_or_404(Definition, slug=slug)
    version = get_object_or_404(definition.versions.published().select_related("published_by"), label=label)
    return definition, version


def _driving(version) -> dict[int, list[Disposition]]:
    """clause id -> the current dispositions saying a comment drove its revision in `version`."""
    dispositions = (
        Disposition.objects.filter(
            is_current=True, addressed_in=version, status__in=Disposition.DROVE_REVISION
        )
        .select_related("comment__author__profile", "comment__version")
        .prefetch_related("clauses")
        .order_by("comment__created_at")
    )
    by_clause: dict[int, list[Disposition]] = {}
    for disposition in dispositions:
        for clause in disposition.clauses.all():
            by_clause.setdefault(clause.pk, []).append(disposition)
    return by_clause


@public_page
def changes(request, slug, label):
    definition, version = _published(slug, label)
    previous = (
        definition.versions.published().filter(sequence__lt=version.sequence).order_by("-sequence").first()
    )
    rows = []
    if previous is not None:
        old = list(previous.clause_texts.select_related("clause").order_by("position"))
        new = list(version.clause_texts.select_related("clause").order_by("position"))
        rows = [row for row in compare_texts(old, new) if row.status != "unchanged"]
    driving = _driving(version)
    for row in rows:
        row.driven_by = driving.get(row.text.clause_id, [])
    return render(
        request,
        "moderation/changes.html",
        {"definition": definition, "version": version, "previous": previous, "rows": rows},
    )


@public_page
def report(request, slug, label):
    definition, version = _published(slug, label)
    fmt = request.GET.get("format")
    if fmt in ("csv", "json"):
        return _report_download(definition, version, fmt)
    return render(
        request,
        "moderation/report.html",
        {"definition": definition, "version": version, "report": _Report(request, version)},
    )


class _Report:
    """The summary, which covers every comment, and one page of the table, read on first use: when
    the page's shared fragment comes from the cache, never."""

    def __init__(self, request, version):
        self.request, self.version = request, version

    @property
    def requested_page(self) -> int:
        """The page asked for, read as page_of reads it: the fragment's key, so an address cannot
        make keys of its own."""
        return page_number(self.request.GET.get("page"))

    @cached_property
    def summary(self):
        return reports.summary(self.version)

    @cached_property
    def page(self):
        return reports.page_of(self.version, self.request.GET.get("page"), total=self.summary.total)

    @property
    def comments(self):
        return self.page.object_list

    @property
    def counts(self):
        return [(label, self.summary.by_status[value]) for value, label in Disposition.Status.choices]

    @property
    def links(self):
        page, request = self.page, self.request
        return {
            "first": _page_link(request, 1),
            "previous": _page_link(request, page.number - 1),
            "next": _page_link(request, page.number + 1),
            "last": _page_link(request, page.paginator.num_pages),
        }


def _page_link(request, number: int) -> str:
    """This page's address at another page number; the first page is the address without one.
    Only the page number is carried: the report reads no other parameter, and the shared fragment
    is kept per page, not per whatever else an address may bring."""
    return f"?page={number}" if number > 1 else request.path


def _report_download(definition, version, fmt):
    """The complete record in one file: what people cite and keep, so it is never cut into pages.
    The rows are read at once (a fixed number of queries, and any error is a 500 before the first
    byte), then written out as the response streams."""
    comments = reports.received(version, sort="document")
    titles = {t.clause_id: t.title for t in version.clause_texts.only("clause_id", "heading")}
    if fmt == "csv":
        content = reports.csv_lines(reports.row(c, titles) for c in comments)
        content_type = "text/csv; charset=utf-8"
    else:
        document = {
            "definition": definition.slug,
            "version": version.label,
            "comments": len(comments),
            "awaiting_response": sum(1 for c in comments if c.awaiting),
            "authors_satisfied": sum(1 for c in comments if c.answer and c.answer.verdict == "satisfied"),
            "authors_objecting": sum(1 for c in comments if c.answer and c.answer.verdict == "objects"),
            "dispositions": [reports.row(c, titles) for c in comments],
        }
        # The same text as json.dumps(document, indent=2), produced a piece at a time.
        content = json.JSONEncoder(indent=2).iterencode(document)
        content_type = "application/json"
    response = StreamingHttpResponse(reports.in_chunks(content), content_type=content_type)
    name = f"{definition.slug}-{version.label}-dispositions"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_POST
@login_required
def respond(request, pk):
    disposition = get_object_or_404(Disposition.objects.select_related("comment"), pk=pk)
    if not actions.may_respond(disposition=disposition, person=request.user):
        # Before the form: anyone else is refused whatever they send.
        raise PermissionDenied("Only the comment's author can answer its disposition.")
    form = ResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose “satisfied” or “object”.")
        return redirect("comments:permalink", disposition.comment_id)
    try:
        actions.respond(
            disposition=disposition,
            author=request.user,
            verdict=form.cleaned_data["verdict"],
            note=form.cleaned_data["note"],
        )
    except actions.ModerationError as error:
        if error.status == 403:
            raise PermissionDenied(error.message) from None
        messages.error(request, error.message)
    else:
        messages.success(request, "Your answer is recorded and shown with the disposition.")
    return redirect("comments:permalink", disposition.comment_id)


# The clause page and the clause history, with dispositions added.


def _clause_extras(request, context):
    extras = comment_views.CLAUSE_PAGE.extend(request, context)
    comments = [c for thread in extras["threads"] for c in _walk(thread)] + list(extras["earlier_comments"])
    # The author's latest answer comes in the same query, as two subquery columns, and of the
    # version it was addressed in, its label only (not the version, nor the duplicated comment:
    # building those instances took longer than the rest of the query).
    answers = DispositionResponse.objects.filter(disposition=OuterRef("pk")).order_by("-created_at", "-pk")
    current = (
        Disposition.objects.filter(
            comment__in=[c.pk for c in comments if c.parent_id is None], is_current=True
        )
        .only("comment_id", "status", "rationale_html", "decided_at", "addressed_in_id", "duplicate_of_id")
        .annotate(
            addressed_in_label=F("addressed_in__label"),
            answer_verdict=Subquery(answers.values("verdict")[:1]),
            answer_note=Subquery(answers.values("note")[:1]),
        )
    )
    by_comment = {d.comment_id: d for d in current}
    for comment in comments:
        disposition = comment.disposition = by_comment.get(comment.pk)
        if disposition is not None:
            disposition.answer = (
                DispositionResponse(verdict=disposition.answer_verdict, note=disposition.answer_note)
                if disposition.answer_verdict
                else None
            )
    return {**extras, "moderation_links": True, "response_form": ResponseForm()}


def _walk(comment):
    yield comment
    for child in getattr(comment, "children", []):
        yield from _walk(child)


CLAUSE_PAGE = reading.Page("moderation/clause.html", _clause_extras)


@public_page
def clause_page(request, slug, label, key):
    return reading.clause_detail(request, slug, label, key, page=CLAUSE_PAGE)


def _history_extras(request, context):
    versions = [entry["version"] for entry in context["entries"] if "text" in entry]
    clause = context["clause"]
    dispositions = (
        Disposition.objects.filter(
            is_current=True, addressed_in__in=versions, status__in=Disposition.DROVE_REVISION, clauses=clause
        )
        .select_related("comment__author__profile", "comment__version")
        .order_by("comment__created_at")
    )
    by_version: dict[int, list[Disposition]] = {}
    for disposition in dispositions:
        by_version.setdefault(disposition.addressed_in_id, []).append(disposition)
    for entry in context["entries"]:
        entry["driven_by"] = by_version.get(entry["version"].pk, [])
    return {}


HISTORY_PAGE = reading.Page("moderation/history.html", _history_extras)


@public_page
def clause_history(request, slug, key):
    return reading.clause_history(request, slug, key, page=HISTORY_PAGE)
