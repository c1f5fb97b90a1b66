"""Dispositions per version, as rows a page, a CSV file or a JSON document can show."""

import csv
import io

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from comments.models import Comment

from .models import Disposition, DispositionResponse

AWAITING = "awaiting"
# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def received(version, *, clause_key=None, status=None, sort="awaiting"):
    """The thread-starting comments a version (or a list of versions) received, each with its
    current disposition and the author's answer: a fixed number of queries, whatever the number
    of comments or versions."""
    current = (
        Disposition.objects.filter(is_current=True)
        .select_related("decided_by__profile", "addressed_in", "duplicate_of")
        .prefetch_related(
            "clauses",
            Prefetch(
                "responses", queryset=DispositionResponse.objects.order_by("-created_at"), to_attr="answers"
            ),
        )
    )
    comments = (
        Comment.objects.filter(parent__isnull=True)
        .filter(**({"version__in": version} if isinstance(version, list) else {"version": version}))
        .exclude(status=Comment.Status.HELD)
        .select_related("author__profile", "clause", "version")
        .annotate(
            endorsement_total=Count("endorsements", distinct=True),
            reply_total=Count("replies", distinct=True),
        )
        .prefetch_related(Prefetch("dispositions", queryset=current, to_attr="current_dispositions"))
    )
    if clause_key:
        comments = comments.filter(clause__key=clause_key)
    if status == AWAITING:
        comments = comments.exclude(dispositions__is_current=True).filter(status=Comment.Status.VISIBLE)
    elif status:
        comments = comments.filter(Q(dispositions__is_current=True) & Q(dispositions__status=status))
    order = {
        "endorsed": ("-endorsement_total", "created_at", "pk"),
        "oldest": ("created_at", "pk"),
        "clause": ("clause__key", "created_at", "pk"),
    }
    comments = list(comments.order_by(*order.get(sort, ("created_at", "pk"))))
    for comment in comments:
        comment.disposition = comment.current_dispositions[0] if comment.current_dispositions else None
        # A withdrawn or hidden comment waits for nobody.
        comment.awaiting = comment.disposition is None and comment.is_visible
        comment.answer = (
            comment.disposition.answers[0] if comment.disposition and comment.disposition.answers else None
        )
    if sort == "awaiting":
        comments.sort(key=lambda c: not c.awaiting)  # stable: oldest first within each
    return comments


def row(comment, clause_titles) -> dict:
    d = comment.disposition
    return {
        "tracking_number": comment.tracking_number,
        "clause": comment.clause.key,
        "clause_title": clause_titles.get(comment.clause_id, ""),
        "author": comment.external_author if comment.is_external else comment.author.profile.name,
        "affiliation": "" if comment.is_external else comment.author.profile.affiliation,
        "on_behalf_of": comment.on_behalf_of if comment.is_visible else "",
        "url": settings.SITE_URL + reverse("comments:permalink", args=[comment.pk]),
        "source": comment.source or "this site",
        "created_at": comment.created_at.isoformat(),
        "status": comment.get_status_display() if not comment.is_visible else "",
        "comment": comment.body if comment.is_visible else comment.placeholder,
        "endorsements": comment.endorsement_total,
        "disposition": d.status if d else (AWAITING if comment.awaiting else ""),
        "rationale": d.rationale if d else "",
        "decided_at": d.decided_at.isoformat() if d else "",
        "addressed_in": d.addressed_in.label if d and d.addressed_in else "",
        "clauses_revised": " ".join(sorted(c.key for c in d.clauses.all())) if d else "",
        "duplicate_of": d.duplicate_of.tracking_number if d and d.duplicate_of else "",
        "author_answer": comment.answer.verdict if comment.answer else "",
        "author_note": comment.answer.note if comment.answer else "",
    }


FIELDS = [
    "tracking_number", "url", "clause", "clause_title", "author", "affiliation", "on_behalf_of", "source", "created_at", "status", "comment",
    "endorsements", "disposition", "rationale", "decided_at", "addressed_in", "clauses_revised",
    "duplicate_of", "author_answer", "author_note",
]  # fmt: skip


def as_csv(rows: list[dict], fields: list[str] = FIELDS) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    for r in rows:
        writer.writerow([safe_cell(r[field]) for field in fields])
    return out.getvalue()
