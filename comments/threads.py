"""The comments on a clause page: this version's threads (one query for the comments, built
into trees in Python), and the comments made on earlier versions of the clause."""

from collections import defaultdict

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from docket import pagecache, quotes
from docket.paging import page_number
from docket.prepared import Prepared

from .cards import Cards
from .models import Comment, Endorsement, Subscription

THREADS_PER_PAGE = 20
# Replies nest this deep; deeper ones continue flat under the last indented comment, each
# saying whom it answers, so a long exchange stays readable (and rendering stays shallow).
MAX_DEPTH = 5
SORTS = {
    "oldest": ("created_at", "pk"),
    "newest": ("-created_at", "-pk"),
    "endorsed": ("-endorsement_total", "created_at", "pk"),
}
EARLIER_LIMIT = 50
# What a clause page shows of a comment: not the Markdown source (the HTML is shown); its
# author's name comes with it (Comment.objects.with_author_names()), not their account's rows.
SHOWN = (
    "clause_id",
    "version_id",
    "parent_id",
    "root_id",
    "body_html",
    "quote",
    "on_behalf_of",
    "status",
    "status_reason",
    "created_at",
    "edited_at",
    "locked_at",
    "source",
    "source_url",
    "external_author",
    "author",
)


def _attach(node, depth, by_parent):
    node.depth = depth
    kids = by_parent.get(node.pk, [])
    if depth < MAX_DEPTH:
        node.children = kids
        for kid in kids:
            _attach(kid, depth + 1, by_parent)
        return
    flat, stack = [], list(kids)
    while stack:
        reply = stack.pop()
        flat.append(reply)
        stack.extend(by_parent.get(reply.pk, []))
    for reply in flat:
        reply.depth, reply.children = depth, []
    node.children = sorted(flat, key=lambda c: (c.created_at, c.pk))
    for reply in node.children:
        reply.flattened = True


def build_trees(roots, comments, endorsements, user):
    """Give each root its replies (`children`), and every comment its endorsements."""
    by_comment = defaultdict(list)
    for endorsement in endorsements:
        by_comment[endorsement.comment_id].append(endorsement)
    by_parent = defaultdict(list)
    by_id = {}
    for comment in comments:
        comment.endorsement_list = by_comment.get(comment.pk, [])
        comment.endorsed_by_me = user.is_authenticated and any(
            e.person_id == user.pk for e in comment.endorsement_list
        )
        comment.my_endorsement = next((e for e in comment.endorsement_list if e.person_id == user.pk), None)
        comment.flattened = False
        comment.shown = comment.shown_to(user)
        by_id[comment.pk] = comment
        if comment.parent_id is not None:
            by_parent[comment.parent_id].append(comment)
    for comment in comments:
        comment.parent_comment = by_id.get(comment.parent_id)
        root = by_id.get(comment.root_id)
        comment.thread_locked = root is not None and root.locked_at is not None
    trees = []
    for root in roots:
        node = by_id.get(root.pk, root)
        _attach(node, 0, by_parent)
        trees.append(node)
    return trees


def _roots(clause_id, version_id):
    return Comment.objects.filter(clause_id=clause_id, version_id=version_id, parent__isnull=True)


def _page_of_roots(sort, start, clause_id, version_id):
    """The ids of one page of a clause's threads (their first comments), in the sort's order."""
    roots = _roots(clause_id, version_id)
    if sort == "endorsed":
        roots = roots.annotate(endorsement_total=Count("endorsements"))
    return roots.order_by(*SORTS[sort]).values("pk")[start : start + THREADS_PER_PAGE]


# The clause page's comment queries, built and compiled once per process (docket.prepared):
# building and compiling them took longer than running them. A page's offset and sort are their
# shape, the clause and versions their values.

# Every comment of one page's threads, oldest first, each with the number of threads in all.
THREAD_COMMENTS = Prepared(
    Comment,
    lambda sort, start, clause_id, version_id: (
        Comment.objects.filter(root_id__in=_page_of_roots(sort, start, clause_id, version_id))
        .only(*SHOWN)
        .with_author_names()
        .annotate(
            thread_total=Subquery(
                _roots(clause_id, version_id).order_by().values("version").annotate(n=Count("pk")).values("n")
            )
        )
        .order_by("created_at", "pk")
    ),
    "clause_id",
    "version_id",
)
# Their endorsements; of who endorsed, the public name only (not their user and profile rows).
THREAD_ENDORSEMENTS = Prepared(
    Endorsement,
    lambda sort, start, clause_id, version_id: (
        Endorsement.objects.filter(comment__root_id__in=_page_of_roots(sort, start, clause_id, version_id))
        .only("comment_id", "person_id", "note", "created_at")
        .annotate(person_display_name=F("person__profile__display_name"))
    ),
    "clause_id",
    "version_id",
)
# The clause's threads on earlier versions of the definition, latest version first.
EARLIER_COMMENTS = Prepared(
    Comment,
    lambda clause_id, definition_id, sequence: (
        Comment.objects.filter(
            clause_id=clause_id,
            version__definition_id=definition_id,
            version__sequence__lt=sequence,
            parent__isnull=True,
        )
        .only(*SHOWN, "quote_prefix", "quote_suffix")
        .with_author_names()
        # Counted for the comments shown only (a subquery per row after the limit), not grouped
        # over every earlier comment on the clause.
        .annotate(
            reply_total=_count_of(Comment, "parent"), endorsement_total=_count_of(Endorsement, "comment")
        )
        .order_by("-version__sequence", "created_at", "pk")[:EARLIER_LIMIT]
    ),
    "clause_id",
    "definition_id",
    "sequence",
)


def _threads_page(
    clause_text, version, sort, requested_page
) -> tuple[Page, list[Comment], list[Endorsement]]:
    """One page of threads: every comment of the page's threads with the number of threads in
    all, and their endorsements, in two queries (the page's roots are a subquery of both). A
    page past the end asks again for the last one."""
    where = {"clause_id": clause_text.clause_id, "version_id": version.pk}
    number = page_number(requested_page)
    comments = THREAD_COMMENTS(sort, (number - 1) * THREADS_PER_PAGE, **where)
    if not comments and number > 1:
        number = max(1, -(-_roots(**where).count() // THREADS_PER_PAGE))
        comments = THREAD_COMMENTS(sort, (number - 1) * THREADS_PER_PAGE, **where)
    # Every comment of a thread is on the thread's version: the one already read, not a copy
    # of it joined to each row.
    for comment in comments:
        comment.version = version
    page_roots = [c for c in comments if c.parent_id is None]
    # The same page of roots as the comments' query (the page number may have moved to the last).
    start = (number - 1) * THREADS_PER_PAGE
    endorsements = THREAD_ENDORSEMENTS(sort, start, **where) if page_roots else []
    if sort == "endorsed":
        totals = defaultdict(int)
        for endorsement in endorsements:
            totals[endorsement.comment_id] += 1
        for root in page_roots:
            root.endorsement_total = totals[root.pk]
        page_roots.sort(key=lambda c: (-c.endorsement_total, c.created_at, c.pk))
    elif sort == "newest":
        page_roots.reverse()  # the comments come oldest first
    paginator = Paginator([], THREADS_PER_PAGE)
    paginator.count = comments[0].thread_total if comments else 0
    return Page(page_roots, number, paginator), comments, endorsements


def _earlier_comments(clause_text, version, versions, user) -> list[Comment]:
    """The clause's comments on earlier versions, each with its version (from `versions`, the
    definition's versions the page has read already: comments are only ever on published
    versions, which everyone sees) and where its quote stands now."""
    earlier = EARLIER_COMMENTS(
        clause_id=clause_text.clause_id, definition_id=version.definition_id, sequence=version.sequence
    )
    by_pk = {v.pk: v for v in versions}
    for comment in earlier:
        comment.version = by_pk[comment.version_id]
        comment.shown = comment.shown_to(user)
        comment.anchor = (
            quotes.reanchor(clause_text.body_html, comment.quote, comment.quote_prefix, comment.quote_suffix)
            if comment.quote
            else None
        )
    return earlier


def clause_comments(*, clause_text, version, versions, user, sort="oldest", requested_page=1) -> dict:
    """Everything the clause page shows of comments, in a fixed number of queries. `versions`:
    the definition's versions as the page read them, for the comments on earlier ones."""
    sort = sort if sort in SORTS else "oldest"
    page, comments, endorsements = _threads_page(clause_text, version, sort, requested_page)
    threads = build_trees(list(page), comments, endorsements, user)
    earlier = _earlier_comments(clause_text, version, versions, user)

    # What everyone sees of each comment comes from kept cards, made when the page is rendered.
    Cards(
        user=user,
        definition_slug=version.definition.slug,
        version_label=version.label,
        thread_comments=comments,
        earlier=earlier,
        roots=threads,
    )

    # Each distinct passage is marked once, however many comments quote it: highlighting reads
    # the whole clause text, so it is done per passage, not per comment.
    highlighted = clause_text.body_html
    for passage in dict.fromkeys(c.quote for c in comments if c.quote and c.is_visible):
        highlighted = quotes.highlight(highlighted, passage)

    following = {"clause": False, "definition": False}
    if user.is_authenticated:
        for clause_id in Subscription.objects.filter(
            Q(clause_id=clause_text.clause_id) | Q(clause__isnull=True, definition_id=version.definition_id),
            person=user,
        ).values_list("clause_id", flat=True):
            following["clause" if clause_id else "definition"] = True

    return {
        "threads": threads,
        "threads_page": page,
        "comment_total": page.paginator.count,
        "sort": sort,
        "sorts": [("oldest", "Oldest first"), ("newest", "Newest first"), ("endorsed", "Most endorsed")],
        "earlier_comments": earlier,
        "highlighted_body": highlighted,
        "following": following,
    }


def _count_of(model, field: str) -> Coalesce:
    """How many rows of `model` point at the comment through `field`, as a subquery column (0,
    not NULL, when none does: the grouped subquery then has no row)."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


_COUNTS_SQL = "SELECT clause_id, COUNT(*) FROM {table} WHERE version_id = %s GROUP BY clause_id"


def comment_counts(version) -> dict[int, int]:
    """clause id -> number of comments made on this version: one query, kept (with the page
    cache on) until a comment is added to the version or removed from it (`forget_counts`).
    Counting grows with the version's comments (13 ms for 60,000 here), and an endorsement, a
    moderation or a disposition changes no count."""
    return pagecache.keep(
        f"comment-counts:{version.pk}",
        lambda: _count(version),
        lambda: pagecache.generation_of(_counts_generation(version.pk)),
    )


def _count(version) -> dict[int, int]:
    # COUNT(*), not of a column: PostgreSQL then counts from the (version, clause) index alone.
    # Written out: building the grouped query through the ORM took longer than running it.
    with connection.cursor() as cursor:
        cursor.execute(
            _COUNTS_SQL.format(table=connection.ops.quote_name(Comment._meta.db_table)), [version.pk]
        )
        return dict(cursor.fetchall())


def _counts_generation(version_id: int) -> str:
    return f"comment-counts-generation:{version_id}"


def forget_counts(sender, instance, created=True, **kwargs) -> None:
    """A comment was added (post_save with `created`) or removed (post_delete): its version's
    counts are counted again once this commits (connected in CommentsConfig.ready)."""
    if created:
        pagecache.bump_when_committed(_counts_generation(instance.version_id))


def forget_counts_now(version_ids) -> None:
    pagecache.bump(*map(_counts_generation, version_ids))


# Written out, as _COUNTS_SQL: the ORM took longer to build this count than the database to run
# it from the threads index, on every post's redirect.
_ROOTS_BEFORE_SQL = (
    "SELECT COUNT(*) FROM {table} WHERE clause_id = %s AND version_id = %s AND parent_id IS NULL "
    "AND (created_at < %s OR (created_at = %s AND id < %s))"
)


def page_of(comment: Comment) -> int:
    """Which page of its clause's threads (oldest first) holds this comment's thread."""
    root = comment if comment.root_id in (None, comment.pk) else comment.root
    created_at = connection.ops.adapt_datetimefield_value(root.created_at)
    with connection.cursor() as cursor:
        cursor.execute(
            _ROOTS_BEFORE_SQL.format(table=connection.ops.quote_name(Comment._meta.db_table)),
            [root.clause_id, root.version_id, created_at, created_at, root.pk],
        )
        (before,) = cursor.fetchone()
    return before // THREADS_PER_PAGE + 1
