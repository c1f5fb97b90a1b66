"""One search box over clauses and comments: PostgreSQL full-text search (ranked, highlighted by
the database, backed by GIN indexes) when on PostgreSQL; a plain word match elsewhere."""

import re
from dataclasses import dataclass
from html import escape

from django.db import connection
from django.db.models import Q

from comments.models import Comment
from definition.models import ClauseText, Version

LIMIT = 50
# Markers the database puts around matches; replaced by <mark> after escaping the text.
START, STOP = "\x02", "\x03"
_WORDS = re.compile(r"\w+", re.UNICODE)


@dataclass
class Hit:
    kind: str  # "clause" or "comment"
    obj: object
    rank: float
    snippet: str  # safe HTML


def words(query: str) -> list[str]:
    return _WORDS.findall(query or "")[:10]


def _marked(text: str) -> str:
    return escape(text).replace(START, "<mark>").replace(STOP, "</mark>")


def _snippet_python(text: str, terms: list[str], width: int = 220) -> str:
    """A stretch of the text around the first match, matches marked, everything escaped."""
    text = " ".join((text or "").split())
    lowered = text.lower()
    first = min((i for i in (lowered.find(t.lower()) for t in terms) if i >= 0), default=0)
    start = max(0, first - width // 3)
    chunk = text[start : start + width]
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
    marked = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", chunk) if pattern else chunk
    return ("…" if start else "") + _marked(marked) + ("…" if start + width < len(text) else "")


def _versions(definition=None, label=None, all_versions=False):
    versions = Version.objects.published()
    if definition is not None:
        versions = versions.filter(definition=definition)
    if label:
        return versions.filter(label=label)
    if all_versions:
        return versions
    # By default: the latest published version of each definition.
    latest = {}
    for pk, definition_id, sequence in versions.values_list("pk", "definition_id", "sequence"):
        if definition_id not in latest or sequence > latest[definition_id][1]:
            latest[definition_id] = (pk, sequence)
    return Version.objects.filter(pk__in=[pk for pk, _ in latest.values()])


def search(query: str, *, definition=None, label=None, kind="all", all_versions=False) -> list[Hit]:
    terms = words(query)
    if not terms:
        return []
    versions = _versions(definition, label, all_versions)
    clauses = ClauseText.objects.filter(version__in=versions).select_related("version__definition", "clause")
    comments = Comment.objects.filter(
        status=Comment.Status.VISIBLE, version__status="published"
    ).select_related("version__definition", "clause", "author__profile")
    if definition is not None:
        comments = comments.filter(version__definition=definition)
    if label:
        comments = comments.filter(version__label=label)
    hits: list[Hit] = []
    if connection.vendor == "postgresql":
        hits = _postgres(query, clauses, comments, kind)
    else:
        hits = _fallback(terms, clauses, comments, kind)
    hits.sort(key=lambda h: -h.rank)
    return hits[:LIMIT]


def _postgres(query, clauses, comments, kind) -> list[Hit]:
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
        SearchVector,
    )
    from django.db.models import F

    search_query = SearchQuery(query, search_type="websearch", config="english")
    options = {"start_sel": START, "stop_sel": STOP, "max_words": 35, "min_words": 15, "config": "english"}
    hits = []
    if kind in ("all", "clauses"):
        # Filter with the same expression as the GIN index; rank with the heading weighted higher.
        vector = SearchVector("heading", "body", config="english")
        weighted = SearchVector("heading", weight="A", config="english") + SearchVector(
            "body", weight="B", config="english"
        )
        found = (
            clauses.annotate(document=vector)
            .filter(document=search_query)
            .annotate(
                rank=SearchRank(weighted, search_query),
                snippet=SearchHeadline("body", search_query, **options),
            )
        )
        hits += [Hit("clause", t, t.rank, _marked(t.snippet)) for t in found.order_by("-rank")[:LIMIT]]
    if kind in ("all", "comments"):
        # The stored document (openrecord/migrations/0002): matching and ranking read it, not
        # every matching body, so a search for common words stays fast as comments grow.
        document = stored_comment_document()
        found = (
            comments.annotate(document=document)
            .filter(document=search_query)
            .annotate(
                rank=SearchRank(F("document"), search_query),
                snippet=SearchHeadline("body", search_query, **options),
            )
        )
        hits += [Hit("comment", c, c.rank, _marked(c.snippet)) for c in found.order_by("-rank")[:LIMIT]]
    return hits


def stored_comment_document():
    """The comments' stored full-text document (PostgreSQL only; see migration 0002)."""
    from django.contrib.postgres.search import SearchVectorField
    from django.db.models.expressions import RawSQL

    return RawSQL('"comments_comment"."search_document"', [], output_field=SearchVectorField())


def _fallback(terms, clauses, comments, kind) -> list[Hit]:
    hits = []

    def score(text, heading=""):
        lowered, head = text.lower(), heading.lower()
        return sum(lowered.count(t.lower()) + 3 * head.count(t.lower()) for t in terms)

    if kind in ("all", "clauses"):
        condition = Q()
        for term in terms:
            condition &= Q(heading__icontains=term) | Q(body__icontains=term)
        for text in clauses.filter(condition)[: LIMIT * 2]:
            hits.append(
                Hit("clause", text, score(text.body, text.heading), _snippet_python(text.body, terms))
            )
    if kind in ("all", "comments"):
        condition = Q()
        for term in terms:
            condition &= Q(body__icontains=term)
        for comment in comments.filter(condition)[: LIMIT * 2]:
            hits.append(Hit("comment", comment, score(comment.body), _snippet_python(comment.body, terms)))
    return hits
