"""Dispositions per version, as rows a page, a CSV file or a JSON document can show."""

import csv
import dataclasses
import io
from collections import Counter

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, FilteredRelation, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse

from comments.models import Comment
from docket.paging import page_number

from .models import Disposition, DispositionResponse

AWAITING = "awaiting"
# A page of the report: long enough to read a clause's comments in one go, short enough that a
# version with ten thousand comments is two hundred light pages rather than one of megabytes.
ROWS_PER_PAGE = 50
# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _threads(version):
    """The thread-starting comments a version (or a list of versions) received; held ones are not
    part of the record until a moderator lets them through."""
    versions = {"version__in": version} if isinstance(version, list) else {"version": version}
    return Comment.objects.filter(parent__isnull=True, **versions).exclude(status=Comment.Status.HELD)


def _with_dispositions(comments):
    """Each comment with its author, clause, counts, current disposition and the author's answers:
    a fixed number of queries, whatever the number of comments."""
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
    return (
        comments.select_related("author__profile", "clause", "version")
        .annotate(
            endorsement_total=Count("endorsements", distinct=True),
            reply_total=Count("replies", distinct=True),
        )
        .prefetch_related(Prefetch("dispositions", queryset=current, to_attr="current_dispositions"))
    )


def _in_document_order(comments):
    """By the position of the comment's clause in the comment's version (a clause the version
    lacks goes last), then oldest first. A join, not a subquery per comment: on a version with
    twenty thousand comments, the database orders them in half the time."""
    here = Q(clause__texts__version=F("version"))
    return comments.annotate(clause_text=FilteredRelation("clause__texts", condition=here)).order_by(
        F("clause_text__position").asc(nulls_last=True), "created_at", "pk"
    )


def _settle(comments: list) -> list:
    """Give each comment its current `disposition`, the author's `answer` to it, and whether it is
    `awaiting` one."""
    for comment in comments:
        comment.disposition = comment.current_dispositions[0] if comment.current_dispositions else None
        # A withdrawn or hidden comment waits for nobody.
        comment.awaiting = comment.disposition is None and comment.is_visible
        comment.answer = (
            comment.disposition.answers[0] if comment.disposition and comment.disposition.answers else None
        )
    return comments


def received(version, *, clause_key=None, status=None, sort="awaiting"):
    """The thread-starting comments a version (or a list of versions) received, each with its
    current disposition and the author's answer: a fixed number of queries, whatever the number
    of comments or versions. `sort="document"` is the order of the version's text."""
    comments = _with_dispositions(_threads(version))
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
    if sort == "document":
        comments = _in_document_order(comments)
    else:
        comments = comments.order_by(*order.get(sort, ("created_at", "pk")))
    comments = _settle(list(comments))
    if sort == "awaiting":
        comments.sort(key=lambda c: not c.awaiting)  # stable: oldest first within each
    return comments


@dataclasses.dataclass
class Summary:
    """Where the comments a version received stand, all of them, whatever page is shown."""

    total: int = 0
    awaiting: int = 0
    by_status: Counter = dataclasses.field(default_factory=Counter)  # disposition status -> comments
    satisfied: int = 0
    objecting: int = 0


def summary(version) -> Summary:
    """Counted in the database in one grouped query: at most a few dozen groups (comment status
    by disposition status by the author's answer) come back, never the comments."""
    current = FilteredRelation("dispositions", condition=Q(dispositions__is_current=True))
    answers = DispositionResponse.objects.filter(disposition=OuterRef("current__pk")).order_by(
        "-created_at", "-pk"
    )
    groups = (
        _threads(version)
        .annotate(current=current)
        .annotate(verdict=Subquery(answers.values("verdict")[:1]))
        .values("status", "current__status", "verdict")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result = Summary()
    for group in groups:
        n = group["n"]
        result.total += n
        if group["current__status"]:
            result.by_status[group["current__status"]] += n
        elif group["status"] == Comment.Status.VISIBLE:
            result.awaiting += n  # as `_settle` says: a withdrawn or hidden comment waits for nobody
        if group["verdict"] == DispositionResponse.Verdict.SATISFIED:
            result.satisfied += n
        elif group["verdict"] == DispositionResponse.Verdict.OBJECTS:
            result.objecting += n
    return result


def page_of(version, requested_page, *, total: int) -> Page:
    """One page of the comments a version received, in the document's order, as `received` gives
    them. The database orders the bare ids and cuts out the page's (LIMIT/OFFSET); then only
    those rows are read in full, by a list of ids. (As one query, `pk__in` a sliced subquery,
    PostgreSQL joined the whole comments table before cutting: 3.6 s instead of 0.1 s at a
    million comments.) `total` comes from `summary`, so the paginator needs no COUNT of its own.
    As on the clause page, a number that is not one (or is below 1) gives the first page, and one
    past the end the last."""
    in_order = _in_document_order(_threads(version)).values_list("pk", flat=True)
    paginator = Paginator(in_order, ROWS_PER_PAGE)
    paginator.count = total
    page = paginator.page(min(page_number(requested_page), paginator.num_pages))
    ids = list(page.object_list)
    by_id = {c.pk: c for c in _with_dispositions(Comment.objects.filter(pk__in=ids))}
    return Page(_settle([by_id[pk] for pk in ids if pk in by_id]), page.number, paginator)


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


def csv_lines(rows, fields: list[str] = FIELDS):
    """The CSV text a line at a time, the header first, for a download that is streamed."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(fields)
    yield out.getvalue()
    for r in rows:
        out.seek(0)
        out.truncate()
        writer.writerow([safe_cell(r[field]) for field in fields])
        yield out.getvalue()


def in_chunks(pieces, size: int = 64 * 1024):
    """Small pieces of text joined into chunks of about `size` characters, so a streamed download
    is written in a few large blocks rather than one per line or JSON token."""
    buffer, length = [], 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer)
