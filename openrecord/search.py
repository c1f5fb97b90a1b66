"""One search box over clauses and comments: PostgreSQL full-text search (ranked, highlighted by
the database, backed by GIN indexes) when on PostgreSQL; a plain word match elsewhere."""

import re
from dataclasses import dataclass
from html import escape

from django.db import connection
from django.db.models import Count, Expression, Q, Value, Window
from django.db.models.functions import Length, Lower, Replace

from comments.models import Comment
from definition.models import ClauseText, Version

LIMIT = 50
# Comments ranked at most: the most recent matches. Ranking reads each match, and a common word
# matches hundreds of thousands of comments; past this many, the page says so.
CANDIDATES = 1_000
# Markers the database puts around matches; replaced by <mark> after escaping the text.
START, STOP = "\x02", "\x03"
_WORDS = re.compile(r"\w+", re.UNICODE)
HEADLINE = {"start_sel": START, "stop_sel": STOP, "max_words": 35, "min_words": 15, "config": "english"}


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


@dataclass
class Results:
    hits: list[Hit]
    # At least CANDIDATES comments matched, so only the most recent of them were ranked.
    capped: bool = False


def search(query: str, *, definition=None, label=None, kind="all", all_versions=False) -> Results:
    terms = words(query)
    if not terms:
        return Results([])
    on_postgres = connection.vendor == "postgresql"
    hits: list[Hit] = []
    capped = False
    if kind in ("all", "clauses"):
        clauses = ClauseText.objects.filter(
            version__in=_versions(definition, label, all_versions)
        ).select_related("version__definition", "clause")
        hits += _postgres_clauses(query, clauses) if on_postgres else _fallback_clauses(terms, clauses)
    if kind in ("all", "comments"):
        comments = Comment.objects.filter(status=Comment.Status.VISIBLE, version__status="published")
        if definition is not None:
            comments = comments.filter(version__definition=definition)
        if label:
            comments = comments.filter(version__label=label)
        found = list(
            _postgres_comments(query, comments) if on_postgres else _fallback_comments(terms, comments)
        )
        capped = bool(found) and found[0].candidates >= CANDIDATES
        hits += [Hit("comment", c, c.rank, c.snippet) for c in found]
    hits.sort(key=lambda h: -h.rank)
    return Results(hits[:LIMIT], capped)


def _most_recent(comments):
    """The CANDIDATES most recent of these comments, as a subquery of ids: the comment_created
    index read backwards, stopping once it has found that many."""
    return comments.order_by("-created_at", "-pk").values("pk")[:CANDIDATES]


def _ranked(candidates, rank, **annotations):
    """The best-ranked LIMIT of the candidates, each told how many candidates there were."""
    return (
        Comment.objects.filter(pk__in=candidates)
        .select_related("version__definition", "clause", "author__profile")
        .annotate(rank=rank, candidates=Window(Count("pk")), **annotations)
        .order_by("-rank")[:LIMIT]
    )


def _postgres_clauses(query, clauses) -> list[Hit]:
    from django.contrib.postgres.search import SearchHeadline, SearchRank, SearchVector

    search_query = _search_query(query)
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
            snippet=SearchHeadline("body", search_query, **HEADLINE),
        )
    )
    return [Hit("clause", t, t.rank, _marked(t.snippet)) for t in found.order_by("-rank")[:LIMIT]]


def _postgres_comments(query, comments):
    from django.contrib.postgres.search import SearchHeadline, SearchRank

    search_query = _search_query(query)
    # The stored document (openrecord/migrations/0002): matching and ranking read it, not each
    # body. Ranking still reads each match's document, which for a common word among a million
    # comments took seconds, hence the cap on candidates.
    matches = comments.annotate(document=stored_comment_document()).filter(document=search_query)
    found = _ranked(
        _most_recent(matches),
        SearchRank(stored_comment_document(), search_query),
        snippet=SearchHeadline("body", search_query, **HEADLINE),
    )
    for comment in found:
        comment.snippet = _marked(comment.snippet)
        yield comment


def _search_query(query):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(query, search_type="websearch", config="english")


def stored_comment_document():
    """The comments' stored full-text document (PostgreSQL only; see migration 0002)."""
    from django.contrib.postgres.search import SearchVectorField

    return StoredDocument(output_field=SearchVectorField())


class StoredDocument(Expression):
    """The column the model does not declare, under whatever alias the query gives the comments
    table: a subquery renames it, and a fixed table name would point at the outer query's row."""

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name(compiler.query.base_table)}.search_document", []


def _fallback_clauses(terms, clauses) -> list[Hit]:
    condition = Q()
    for term in terms:
        condition &= Q(heading__icontains=term) | Q(body__icontains=term)
    hits = []
    for text in clauses.filter(condition)[: LIMIT * 2]:
        lowered, heading = text.body.lower(), text.heading.lower()
        score = sum(lowered.count(t.lower()) + 3 * heading.count(t.lower()) for t in terms)
        hits.append(Hit("clause", text, score, _snippet_python(text.body, terms)))
    return hits


def _fallback_comments(terms, comments):
    condition = Q()
    for term in terms:
        condition &= Q(body__icontains=term)
    # The rank is how often the words occur, counted by the database like icontains matches
    # (SQLite's lower() folds ASCII only), so only LIMIT comments leave it.
    body = Lower("body")
    rank = Value(0)
    for term in terms:
        word = Lower(Value(term))
        rank += (Length(body) - Length(Replace(body, word, Value("")))) / Length(word)
    for comment in _ranked(_most_recent(comments.filter(condition)), rank):
        comment.snippet = _snippet_python(comment.body, terms)
        yield comment
