"""How `manage.py bench` measures: in one process, through Django's whole request handler and
the production middleware, interleaved rounds of the baseline page and each real page, so a
slow moment of the machine hits every page alike. Times are reported as ratios to the baseline
of the same run; query counts are absolute."""

import gc
import os
import platform
import statistics
import time
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from urllib.parse import urlencode

import django
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils.crypto import get_random_string

from comments import threads
from comments.models import Comment, Endorsement
from definition import changes
from definition.models import ClauseText, Version
from docket import markdown, pagecache

from .seed import MAIN_SLUG, MEASURED_COUNTS
from .server import allowed_host

BASELINE = "baseline"
CLAUSE_PAGE = "clause page, first page of threads"


@dataclass
class Case:
    name: str
    size: str
    url: str
    max_queries: int | None = None
    max_ratio: float | None = None
    post: Callable[[], tuple[object, dict]] | None = None  # returns (user, form data)
    before: Callable[[], None] | None = None  # run before each request, untimed
    # Timed as the first render after a change to the record (the page cache and the shared
    # fragments forgotten before each request), in rounds of their own.
    after_a_change: bool = False
    expect: int = 200
    # Anonymous readers may get the public page cache; signed-in people never do, and their
    # pages add the queries and the controls of who they are (user, groups, profile, follows,
    # forms), so the budgets are stated for the page as a reader gets it, anonymous. Signed-in
    # rows are measured and reported, and held to the 1,000,000-comment comparison (--against).
    signed_in: bool = False

    @property
    def label(self) -> str:
        who = "signed in" if self.signed_in else "anonymous"
        return (
            f"{self.name} ({self.size}, {who})"
            if self.post is None and self.name != BASELINE
            else f"{self.name} ({self.size})"
        )


@dataclass
class Result:
    case: Case
    times_ms: list[float] = field(default_factory=list)
    queries: int = 0
    size_kb: float = 0.0
    renders: int = 0
    status: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)


@dataclass
class Check:
    """One budget line: what, the measured value, the limit, and whether it holds."""

    what: str
    value: str
    limit: str
    ok: bool


class RenderCounter:
    """Counts Markdown renders while installed (every render goes through the parser's render)."""

    def __init__(self):
        self.count = 0
        self._original = markdown._md.render

    def __enter__(self):
        def counting(*args, **kwargs):
            self.count += 1
            return self._original(*args, **kwargs)

        markdown._md.render = counting
        return self

    def __exit__(self, *exc):
        markdown._md.render = self._original


def environment() -> dict:
    database = connection.vendor
    with connection.cursor() as cursor:
        if database == "postgresql":
            cursor.execute("SHOW server_version")
            database += " " + cursor.fetchone()[0].split()[0]
        elif database == "sqlite":
            cursor.execute("select sqlite_version()")
            database += " " + cursor.fetchone()[0]
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
        "cpus": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()} ({platform.processor() or 'unknown CPU'})",
        "debug": settings.DEBUG,
        "comments": Comment.objects.count(),
        "cache": "Redis" if "redis" in settings.CACHES["default"]["BACKEND"].lower() else "local memory",
    }


def cases() -> list[Case]:
    latest = Version.objects.published().filter(definition__slug=MAIN_SLUG).order_by("-sequence").first()
    if latest is None:
        raise LookupError("No benchmark data here: run `manage.py seed_bench --seed 42` first.")
    previous = Version.objects.get(definition=latest.definition, sequence=latest.sequence - 1)
    texts = list(ClauseText.objects.filter(version=latest).select_related("clause").order_by("position"))
    measured = texts[: len(MEASURED_COUNTS)]
    posting = texts[len(MEASURED_COUNTS)]
    base = f"/{MAIN_SLUG}/{latest.label}/"
    people = iter(_people())

    def new_comment():
        body = ("A one-kilobyte comment with *emphasis*, a [link](https://example.org/a) and words. " * 13)[
            :1024
        ]
        return next(people), {"body": body, "quote": "", "on_behalf_of": "", "token": str(uuid.uuid4())}

    result = [Case(BASELINE, "-", "/__bench__/baseline/")]
    for signed_in in (False, True):
        for text, count in zip(measured, MEASURED_COUNTS, strict=True):
            result.append(
                Case(
                    CLAUSE_PAGE,
                    f"{count:,} comments",
                    f"{base}{text.clause.key}/",
                    max_queries=None if signed_in else 6,
                    max_ratio=10 if count == 1_000 and not signed_in else None,
                    signed_in=signed_in,
                )
            )
        result += [
            Case(
                "version page",
                f"{len(texts)} clauses",
                base,
                max_queries=None if signed_in else 5,
                max_ratio=None if signed_in else 10,
                signed_in=signed_in,
            ),
            Case(
                "compare page, uncached",
                f"{len(texts)} clauses",
                # A parameter the page cache does not know: rendered every time, as uncached says.
                f"/{MAIN_SLUG}/compare/{previous.label}...{latest.label}/?uncached=1",
                max_queries=None if signed_in else 5,
                max_ratio=None if signed_in else 15,
                before=_forget_diffs,
                signed_in=signed_in,
            ),
            Case(
                "clause history",
                "10 versions",
                f"/{MAIN_SLUG}/history/{measured[-1].clause.key}/",
                signed_in=signed_in,
            ),
            Case(
                "disposition report",
                f"version {previous.label}",
                f"/{MAIN_SLUG}/{previous.label}/dispositions/",
                signed_in=signed_in,
            ),
        ]
    # What the first reader after a change waits for: before each request, a comment on the
    # page is endorsed or its endorsement withdrawn (a real change, through the models), and
    # everything the page cache and the shared fragments kept is forgotten, as after a change
    # anywhere. What is kept by content (docket.kept) stays, but for the changed comment.
    clause_1000 = measured[MEASURED_COUNTS.index(1_000)]
    change = _endorsement_toggle(clause_1000, latest)
    result += [
        Case(
            "clause page, first render after a change",
            "1,000 comments",
            f"{base}{clause_1000.clause.key}/",
            max_queries=6,
            max_ratio=40,
            before=change,
            after_a_change=True,
        ),
        Case(
            "version page, first render after a change",
            f"{len(texts)} clauses",
            base,
            max_queries=5,
            max_ratio=10,
            before=change,
            after_a_change=True,
        ),
    ]
    result += [
        Case("definition home", "3 definitions", "/"),
        Case("search", "all comments", "/search/?q=licence+freedom"),
        Case("comments feed", "latest 50", f"/{MAIN_SLUG}/feed/comments/"),
        Case("API: comments", "first page", f"/api/v1/comments/?definition={MAIN_SLUG}"),
        # Last, and in rounds of its own: each post changes the record, which empties the page cache.
        Case(
            "posting a 1 KB comment",
            "1 KB",
            f"/comments/new/{latest.pk}/{posting.clause.key}/",
            max_queries=10,
            max_ratio=15,
            post=new_comment,
            expect=302,
        ),
    ]
    return result


def _forget_diffs():
    """A fresh namespace for the diff cache, so the next compare page computes every diff."""
    changes.DIFF_CACHE_PREFIX = f"clause-diff:bench-{uuid.uuid4().hex}:"


def _endorsement_toggle(text, version) -> Callable[[], None]:
    """Endorses the first thread's first comment on the clause's first page of threads, or
    withdraws that endorsement: each call changes what the page shows."""
    comment = (
        Comment.objects.filter(clause_id=text.clause_id, version=version).order_by("created_at", "pk").first()
    )
    person = _reader()

    def toggle():
        deleted, _ = Endorsement.objects.filter(comment=comment, person=person).delete()
        if not deleted:
            Endorsement.objects.create(comment=comment, person=person, note="Agreed.")

    return toggle


def _reader():
    """Someone signed in who only reads: pages are rendered for them, never taken from the cache."""
    from django.contrib.auth.models import User

    return User.objects.filter(username__startswith="bench").order_by("-pk").first()


def _people():
    """A different person for each post, so the per-person rate limit never answers instead."""
    from django.contrib.auth.models import User

    yield from User.objects.filter(username__startswith="bench").order_by("pk")


class Bench:
    def __init__(self, rounds: int):
        self.rounds = rounds
        host = allowed_host()
        # https as the TLS proxy forwards it, so the production redirect and cookies apply as they would.
        headers = {"HTTP_HOST": host, "HTTP_X_FORWARDED_PROTO": "https", "enforce_csrf_checks": True}
        self.anonymous = Client(**headers)
        self.signed_in = Client(**headers)
        self.signed_in.force_login(_reader())
        self.poster = Client(**headers)
        self.origin = f"https://{host}"
        self.csrf = get_random_string(32)

    def request(self, case: Case, queries=None):
        """One request, timed; with `queries` (a CaptureQueriesContext), only the request's own
        queries are captured, not the login that prepares a post."""
        if case.before:
            case.before()
        if case.after_a_change:
            pagecache.forget_now()
        if case.post is None:
            client = self.signed_in if case.signed_in else self.anonymous
            with queries if queries is not None else nullcontext():
                started = time.perf_counter()
                response = client.get(case.url, secure=True)
                elapsed = time.perf_counter() - started
            return elapsed, response
        user, data = case.post()
        self.poster.force_login(user)
        self.poster.cookies[settings.CSRF_COOKIE_NAME] = self.csrf
        data["csrfmiddlewaretoken"] = self.csrf
        with queries if queries is not None else nullcontext():
            started = time.perf_counter()
            # Over https, Django's CSRF check also wants a same-origin Referer, as a browser sends;
            # and the form is sent URL-encoded, as a browser sends a form without files.
            response = self.poster.post(
                case.url,
                urlencode(data),
                content_type="application/x-www-form-urlencoded",
                secure=True,
                HTTP_REFERER=self.origin + case.url,
            )
            elapsed = time.perf_counter() - started
        self.poster.logout()
        return elapsed, response

    def run(self, selected: list[Case]) -> list[Result]:
        # The site's URLs plus the baseline page; emails go to memory: what is timed is the
        # site's work, not a console or an SMTP server.
        mailers = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        caches = settings.CACHES
        if caches["default"]["BACKEND"].endswith("LocMemCache"):
            # Local memory keeps 300 entries by default; the uncached compare page stores a
            # hundred new diffs each time, which would push the cached pages out. Redis has no
            # such count.
            caches = {"default": {**caches["default"], "OPTIONS": {"MAX_ENTRIES": 100_000}}}
        with override_settings(ROOT_URLCONF="bench.urls", MAILERS=mailers, CACHES=caches):
            return self._run(selected)

    def _run(self, selected: list[Case]) -> list[Result]:
        results = [Result(case) for case in selected]
        for result in results:  # warm up: imports, template loading, connection
            self.request(result.case)
        for result in results:
            # Queries are counted on a whole render, never on a cached copy or kept parts.
            pagecache.invalidate(record=True)
            threads.forget_counts_now(Version.objects.values_list("pk", flat=True))
            queries = CaptureQueriesContext(connection)
            with RenderCounter() as renders:
                _, response = self.request(result.case, queries)
            result.queries = len(queries)
            result.renders = renders.count if result.case.post is None else 0
            result.status = response.status_code
            result.size_kb = len(response.content) / 1024
        # Reads first, then first renders after a change, then writes, each phase interleaved with
        # the baseline: a post (or a change) empties the page cache, so doing it between reads
        # would time every anonymous read as a first render.
        baseline = results[0]
        reads = [r for r in results[1:] if r.case.post is None and not r.case.after_a_change]
        after_a_change = [r for r in results[1:] if r.case.after_a_change]
        writes = [r for r in results[1:] if r.case.post is not None]
        for phase in (reads, after_a_change, writes):
            for _ in range(self.rounds):
                for result in [baseline, *phase]:
                    elapsed, _ = self.request(result.case)
                    result.times_ms.append(elapsed * 1000)
        return results


def checks(results: list[Result]) -> list[Check]:
    baseline = next(r for r in results if r.case.name == BASELINE).median
    found: list[Check] = []
    for result in results:
        case = result.case
        label = case.label
        if result.status != case.expect:
            found.append(Check(f"{label}: status", str(result.status), str(case.expect), False))
        if case.post is None and case.name != BASELINE:
            found.append(Check(f"{label}: Markdown renders", str(result.renders), "0", result.renders == 0))
        if case.max_queries is not None:
            found.append(
                Check(
                    f"{label}: queries",
                    str(result.queries),
                    f"<= {case.max_queries}",
                    result.queries <= case.max_queries,
                )
            )
        if case.max_ratio is not None:
            ratio = result.median / baseline
            found.append(
                Check(f"{label}: time", f"{ratio:.1f}x", f"<= {case.max_ratio}x", ratio <= case.max_ratio)
            )
    for signed_in in (False, True):
        found += _clause_checks(
            [r for r in results if r.case.name == CLAUSE_PAGE and r.case.signed_in == signed_in]
        )
    return found


def _clause_checks(results: list[Result]) -> list[Check]:
    found = []
    clause = {r.case.size: r for r in results}
    who = "signed in" if results and results[0].case.signed_in else "anonymous"
    if clause:
        counts = {r.queries for r in clause.values()}
        found.append(
            Check(
                f"clause page ({who}): queries the same at 10 and 3,000 comments",
                ", ".join(str(r.queries) for r in clause.values()),
                "all equal",
                len(counts) == 1,
            )
        )
        small, large = clause.get("1,000 comments"), clause.get("3,000 comments")
        if small and large:
            ratio = large.median / small.median
            found.append(
                Check(
                    f"clause page ({who}): 3,000 vs 1,000 comments", f"{ratio:.2f}x", "<= 3.3x", ratio <= 3.3
                )
            )
    return found


MARKDOWN_WORST = {
    "10,000 [": "[" * 10_000,
    "10,000 `": "`" * 10_000,
    "10,000 *": "*" * 10_000,
    "10,000 <": "<" * 10_000,
    "10,000 _": "_" * 10_000,
    "[a]( x 2,500": "[a](" * 2_500,
    "*a x 3,333": "*a " * 3_333,
    "nested list, 2,500 levels": "".join("  " * i + "- a\n" for i in range(2_500))[:10_000],
    "'- ' x 5,000 (one line)": "- " * 5_000,
    "nested quote, 5,000 levels": "> " * 5_000,
    "1,000 links": "[x](https://example.org/) " * 370,
    "emphasis ladder": "".join("*" * i + "a" for i in range(1, 140))[:10_000],
}


def markdown_times(repeat: int = 3) -> list[tuple[str, int, float]]:
    """The slowest of `repeat` renders of each worst-case input at the maximum comment length."""
    rows = []
    for name, text in MARKDOWN_WORST.items():
        text = text[:10_000]
        slowest = 0.0
        for _ in range(repeat):
            gc.collect()
            started = time.perf_counter()
            markdown.render(text)
            slowest = max(slowest, time.perf_counter() - started)
        rows.append((name, len(text), slowest * 1000))
    return rows
