"""python manage.py loadtest: the site under gunicorn (two workers) on PostgreSQL, on loopback,
with reader and commenter threads for a bounded time; then no request may have failed and every
post the site acknowledged must be a row in the database. Prints a Markdown report.

Each client thread stands for one visitor behind the production TLS proxy: it sends
`X-Forwarded-Proto: https` and an `X-Forwarded-For` address of its own, as the proxy would.
Commenters are signed in without passwords (sessions made here for the `seed_bench` people) and
rotate over their own share of those people, posting each at most as often as the per-person
rate limit allows; a 429 is counted apart, as neither a success nor a failure."""

import http.client
import math
import os
import random
import re
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.http.request import validate_host
from django.urls import reverse

from bench.measure import environment
from bench.seed import MAIN_SLUG, MEASURED_COUNTS, WORDS
from bench.server import HOST, WORKERS, end_session, gunicorn, refuse_if_taken, session_for
from comments.actions import RATE_LIMIT
from comments.models import Comment
from definition.models import ClauseText, Version

MAX_SECONDS = 600  # the per-person rate limit's window: budgets below hold for one run
REPLY_SHARE = 0.35
POSTING_CLAUSES = 8  # new comments go to the first clauses of the latest version, measured ones included
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
COMMENT_ANCHOR = re.compile(r"#comment-(\d+)$")

# Kinds of request, in the report's order.
READ_ANONYMOUS = "reads, anonymous"
READ_SIGNED_IN = "reads, signed in"
FORM = "comment and reply forms (GET)"
POST_COMMENT = "posts: new comments"
POST_REPLY = "posts: replies"
AFTER_POST = "page after posting (302 target)"
AFTER_POST_ANONYMOUS = "same page, anonymous, after posting"
KINDS = (READ_ANONYMOUS, READ_SIGNED_IN, FORM, POST_COMMENT, POST_REPLY, AFTER_POST, AFTER_POST_ANONYMOUS)


@dataclass
class Tally:
    """One thread's counts, merged after the run (no locks while it runs)."""

    statuses: dict = field(default_factory=lambda: defaultdict(Counter))  # (kind, page) -> status
    times: dict = field(default_factory=lambda: defaultdict(list))  # (kind, page) -> ms
    posted: list = field(default_factory=list)  # pks of the comments the site acknowledged
    shown: int = 0  # of those, how many the page after the redirect contained
    shown_anonymous: int = 0  # ... and the same page fetched right after by an anonymous visitor
    out_of_budget: int = 0  # commenters that ran out of people who may still post

    def add(self, kind: str, page: str, status: int | None, ms: float) -> None:
        self.statuses[(kind, page)][status] += 1  # None: no answer (connection refused, reset, timeout)
        if status is not None:
            self.times[(kind, page)].append(ms)

    def merge(self, other: "Tally") -> None:
        for key, counts in other.statuses.items():
            self.statuses[key].update(counts)
        for key, values in other.times.items():
            self.times[key] += values
        self.posted += other.posted
        self.shown += other.shown
        self.shown_anonymous += other.shown_anonymous
        self.out_of_budget += other.out_of_budget


class Visitor:
    """One client: a connection (kept alive where the server allows) and the headers the TLS
    proxy adds; the cookies of whoever it acts for are in the jar passed to each request."""

    def __init__(self, port: int, address: str):
        self.port = port
        self.origin = f"https://{HOST}:{port}"
        self.forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": address}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, method: str, path: str, jar: dict, form: dict | None = None):
        """(status or None, headers, body text, milliseconds); cookies set by the answer go into jar."""
        headers = {**self.forwarded, "User-Agent": "docket-loadtest"}
        if jar:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in jar.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            # As a browser sends them: Django checks the origin of a form posted over https.
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.origin,
                    "Referer": self.origin + path,
                }
            )
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            time.sleep(0.05)  # a dead server should not be hammered in a tight loop
            return None, {}, "", (time.perf_counter() - started) * 1000
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    jar[name] = morsel.value
                else:
                    jar.pop(name, None)
        return response.status, response.headers, text, elapsed


@dataclass
class Plan:
    port: int
    deadline: float
    reads: list  # (page name, path)
    posting: list  # (new-comment path, clause-page path)
    reply_targets: list  # pks of visible comments on the posting clauses
    stop: threading.Event


@dataclass
class Run:
    """What the report says about the run itself."""

    seconds: int
    readers: int
    signed_in_readers: int
    commenters: int
    elapsed: float = 0.0
    load_before: float = 0.0
    log: Path | None = None


def read_loop(plan: Plan, visitor: Visitor, jar: dict, kind: str, rng: random.Random, tally: Tally):
    while time.monotonic() < plan.deadline and not plan.stop.is_set():
        page, path = rng.choice(plan.reads)
        status, _, _, ms = visitor.request("GET", path, jar)
        tally.add(kind, page, status, ms)


def comment_loop(plan: Plan, visitor: Visitor, jars: dict, rng: random.Random, tally: Tally):
    """Each round: the next person with rate-limit budget left opens a form (for its CSRF token),
    posts a new comment or a reply, and follows the redirect to the comment."""
    budget = dict.fromkeys(jars, RATE_LIMIT[0])
    people = list(jars)
    turn = 0
    targets = list(plan.reply_targets)
    anonymous = {}  # the thread's own cookies when it looks as someone signed out
    while time.monotonic() < plan.deadline and not plan.stop.is_set():
        ready = [p for p in people[turn:] + people[:turn] if budget[p] > 0]
        if not ready:
            tally.out_of_budget += 1
            return
        person = ready[0]
        turn = (people.index(person) + 1) % len(people)
        jar = jars[person]
        if targets and rng.random() < REPLY_SHARE:
            kind = POST_REPLY
            form_path = action = reverse("comments:reply", args=[rng.choice(targets)])
            data = {}
        else:
            kind = POST_COMMENT
            action, form_path = rng.choice(plan.posting)
            data = {"quote": ""}
        status, _, html, ms = visitor.request("GET", form_path, jar)
        tally.add(FORM, kind, status, ms)
        token = CSRF_INPUT.search(html) if status == 200 else None
        if token is None:
            continue
        data |= {
            "csrfmiddlewaretoken": token.group(1),
            "body": _body(rng),
            "on_behalf_of": "",
            "token": str(uuid.uuid4()),
            "post": "1",
        }
        budget[person] -= 1  # an attempt may take a slot even if its answer is lost
        status, headers, _, ms = visitor.request("POST", action, jar, data)
        tally.add(kind, "", status, ms)
        if status == 429:
            budget[person] = 0
        location = headers.get("Location", "") if status == 302 else ""
        anchor = COMMENT_ANCHOR.search(location)
        if anchor is None:
            continue
        pk = int(anchor.group(1))
        tally.posted.append(pk)
        targets.append(pk)
        target = urlsplit(location)
        page = target.path + (f"?{target.query}" if target.query else "")
        status, _, html, ms = visitor.request("GET", page, jar)
        tally.add(AFTER_POST, kind, status, ms)
        tally.shown += f'id="comment-{pk}"' in html
        # The public page cache must have forgotten the page once the post was answered.
        status, _, html, ms = visitor.request("GET", page, anonymous)
        tally.add(AFTER_POST_ANONYMOUS, kind, status, ms)
        tally.shown_anonymous += f'id="comment-{pk}"' in html


def _body(rng: random.Random) -> str:
    """About a kilobyte of Markdown: a few sentences with emphasis, a list and a link."""
    sentences = []
    while sum(len(s) + 1 for s in sentences) < 900:
        words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
        words[rng.randrange(len(words))] = f"*{rng.choice(WORDS)}*"
        sentences.append(" ".join(words).capitalize() + ".")
    items = "\n".join(f"- {rng.choice(WORDS)} and {rng.choice(WORDS)}" for _ in range(3))
    return f"{' '.join(sentences)}\n\n{items}\n\nSee [the notes](https://example.org/{rng.choice(WORDS)})."


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value at least `share` of the values are no greater than."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Command(BaseCommand):
    help = (
        "Load-test the site on loopback: start gunicorn with two workers on this PostgreSQL "
        "database (which must hold the data of `seed_bench`), run reader and commenter threads "
        "for --seconds, stop gunicorn, and print a Markdown report. Exits 1 if any request got a "
        "5xx or no answer, or if the comments stored differ from the posts the site acknowledged."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60, help="Length of the load (default 60).")
        parser.add_argument("--readers", type=int, default=8, help="Reader threads (default 8).")
        parser.add_argument("--commenters", type=int, default=4, help="Commenter threads (default 4).")
        parser.add_argument(
            "--port", type=int, default=8765, help="Loopback port for gunicorn (default 8765)."
        )

    def handle(self, *args, seconds, readers, commenters, port, **options):
        if not 1 <= seconds <= MAX_SECONDS:
            raise CommandError(f"--seconds must be between 1 and {MAX_SECONDS}.")
        if readers < 0 or commenters < 0 or readers + commenters == 0:
            raise CommandError("--readers and --commenters must not be negative, nor both 0.")
        if not 1024 <= port <= 65535:
            raise CommandError("--port must be between 1024 and 65535.")
        self._check_ready(port)
        run = Run(seconds, readers, max(1, readers // 4) if readers > 1 else 0, commenters)
        self.sessions: list[str] = []
        try:
            problems = self._run(port, run)
        finally:
            self._sign_out()
        if problems:
            for problem in problems:
                self.stdout.write(self.style.ERROR(problem))
            sys.exit(1)
        self.stdout.write(
            self.style.SUCCESS("No 5xx, no lost request, and every acknowledged post is stored.")
        )

    def _run(self, port: int, run: Run) -> list[str]:
        """Start gunicorn, load it, stop it; the report's problems."""
        plan, reader_jars, commenter_jars = self._prepare(port, run)
        # What production serves at start-up (bin/start-web does the same).
        call_command("collectstatic", interactive=False, verbosity=0)
        # Fresh planner statistics, as autovacuum keeps them in production: right after
        # seed_bench's bulk inserts (or with autovacuum off) the planner guesses badly.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        comments_before = Comment.objects.count()
        last_pk = Comment.objects.aggregate(last=Max("pk"))["last"] or 0

        run.log = Path(tempfile.mkstemp(prefix="docket-loadtest-", suffix=".log")[1])
        self.stdout.write(
            f"Starting gunicorn ({WORKERS} workers) on {HOST}:{port}; its output goes to {run.log}"
        )
        with gunicorn(port, run.log):
            try:
                self._warm_up(plan, reader_jars)
                self.stdout.write(
                    f"Load: {run.seconds} s, {run.readers} readers ({run.signed_in_readers} signed in), "
                    f"{run.commenters} commenters."
                )
                run.load_before = os.getloadavg()[0]
                started = time.monotonic()
                plan.deadline = started + run.seconds
                threads, tallies = self._start(plan, run.readers, reader_jars, commenter_jars)
                for thread in threads:
                    thread.join()
                run.elapsed = time.monotonic() - started
            finally:
                plan.stop.set()
        tally = Tally()
        for part in tallies:
            tally.merge(part)

        stored = set(Comment.objects.filter(pk__gt=last_pk).values_list("pk", flat=True))
        counted = Comment.objects.count() - comments_before
        return self._report(run, tally, stored, counted)

    # -- before --------------------------------------------------------------------------------

    def _check_ready(self, port: int) -> None:
        if connection.vendor != "postgresql" or not os.environ.get("DATABASE_URL"):
            raise CommandError(
                "The load test runs on PostgreSQL: set DATABASE_URL=postgres://... to a database "
                "holding the data of `manage.py seed_bench` (gunicorn gets the same environment)."
            )
        if settings.DEBUG:
            raise CommandError("DEBUG is on: the load test measures production settings; set DEBUG=0.")
        if not validate_host(HOST, settings.ALLOWED_HOSTS):
            raise CommandError(f"ALLOWED_HOSTS must include {HOST} (e.g. ALLOWED_HOSTS={HOST},localhost).")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("This database has unapplied migrations: run `manage.py migrate` first.")
        refuse_if_taken(port)

    def _prepare(self, port: int, run: Run):
        latest = Version.objects.published().filter(definition__slug=MAIN_SLUG).order_by("-sequence").first()
        if latest is None:
            raise CommandError(
                "No benchmark data here: run `manage.py seed_bench --seed 42` on this database first."
            )
        if not latest.comments_open:
            raise CommandError(
                f"Comments on {MAIN_SLUG} {latest.label} are closed; reseed an empty database."
            )
        previous = Version.objects.get(definition=latest.definition, sequence=latest.sequence - 1)
        texts = list(
            ClauseText.objects.filter(version=latest)
            .select_related("clause")
            .order_by("position")[:POSTING_CLAUSES]
        )
        measured = texts[: len(MEASURED_COUNTS)]

        def clause_path(text):
            return reverse("definition:clause", args=[MAIN_SLUG, latest.label, text.clause.key])

        reads = [("version page", reverse("definition:version", args=[MAIN_SLUG, latest.label]))]
        reads += [
            (f"clause page, {count:,} comments", clause_path(text))
            for text, count in zip(measured, MEASURED_COUNTS, strict=True)
        ]
        reads += [
            ("compare page", reverse("definition:compare", args=[MAIN_SLUG, (previous.label, latest.label)])),
            (
                "clause history",
                reverse("definition:clause_history", args=[MAIN_SLUG, measured[-1].clause.key]),
            ),
            ("home", reverse("definition:home")),
            ("search", reverse("search") + "?" + urlencode({"q": "licence freedom"})),
            ("comments feed", reverse("openrecord:comments_feed", args=[MAIN_SLUG])),
            ("API: comments", reverse("api:comment-list") + "?" + urlencode({"definition": MAIN_SLUG})),
        ]
        posting = [(reverse("comments:new", args=[latest.pk, t.clause.key]), clause_path(t)) for t in texts]
        reply_targets = list(
            Comment.objects.visible()
            .filter(version=latest, clause__in=[t.clause_id for t in texts])
            .order_by("pk")
            .values_list("pk", flat=True)[:2_000]
        )
        people = list(User.objects.filter(username__startswith="bench").order_by("pk"))
        signed_in_readers, commenters = run.signed_in_readers, run.commenters
        if len(people) < signed_in_readers + commenters:
            raise CommandError(f"Only {len(people)} benchmark people here; run fewer threads.")
        readers_people = people[len(people) - signed_in_readers :]
        posters = people[: len(people) - signed_in_readers]
        reader_jars = [{settings.SESSION_COOKIE_NAME: self._session_for(p)} for p in readers_people]
        commenter_jars = [
            {p.pk: {settings.SESSION_COOKIE_NAME: self._session_for(p)} for p in posters[i::commenters]}
            for i in range(commenters)
        ]
        plan = Plan(port, 0.0, reads, posting, reply_targets, threading.Event())
        return plan, reader_jars, commenter_jars

    def _session_for(self, user) -> str:
        key = session_for(user)
        self.sessions.append(key)
        return key

    def _sign_out(self) -> None:
        for key in self.sessions:
            end_session(key)

    def _warm_up(self, plan: Plan, reader_jars: list) -> None:
        """Each page once anonymous and once signed in, untimed, so both workers have imported and loaded everything."""
        visitor = Visitor(plan.port, "10.0.0.2")
        jars = [{}, *({**jar} for jar in reader_jars[:1])]
        for jar in jars:
            for _, path in plan.reads:
                visitor.request("GET", path, jar)

    def _start(self, plan: Plan, readers: int, reader_jars: list, commenter_jars: list):
        threads, tallies = [], []
        signed_in = len(reader_jars)
        for n in range(readers + len(commenter_jars)):
            tally = Tally()
            tallies.append(tally)
            visitor = Visitor(plan.port, f"10.0.1.{n + 1}")
            rng = random.Random(n)
            if n < readers:
                is_signed_in = n < signed_in
                jar = reader_jars[n] if is_signed_in else {}
                kind = READ_SIGNED_IN if is_signed_in else READ_ANONYMOUS
                target, arguments = read_loop, (plan, visitor, jar, kind, rng, tally)
            else:
                target, arguments = comment_loop, (plan, visitor, commenter_jars[n - readers], rng, tally)
            threads.append(threading.Thread(target=target, args=arguments, daemon=True))
        for thread in threads:
            thread.start()
        return threads, tallies

    # -- after ---------------------------------------------------------------------------------

    def _report(self, run: Run, tally: Tally, stored: set, counted: int) -> list[str]:
        out = self.stdout.write
        env = environment()
        cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        out("")
        out("## Load test")
        out("")
        out(
            f"Python {env['python']}, Django {env['django']}, {env['database']}, {env['cpus']} CPUs, "
            f"{env['machine']}. gunicorn with {WORKERS} sync workers on loopback, DEBUG off, cache "
            f"{cache}; the "
            f"clients run on the same machine (load average {run.load_before:.1f} as the load began). "
            f"{run.seconds} s of load ({run.elapsed:.1f} s until every thread finished): {run.readers} "
            f"reader threads ({run.signed_in_readers} signed in), {run.commenters} commenter threads; "
            f"{env['comments']:,} comments in the database afterwards."
        )
        out("")
        out("| requests | count | 2xx | 3xx | 4xx (429) | 5xx | no answer | per s | p50 ms | p99 ms |")
        out("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        everything = Counter()
        all_times = []
        for kind in KINDS:
            statuses = sum((c for (k, _), c in tally.statuses.items() if k == kind), Counter())
            times = [ms for (k, _), values in tally.times.items() if k == kind for ms in values]
            everything.update(statuses)
            all_times += times
            out(self._row(kind, statuses, times, run.elapsed))
        out(self._row("**all**", everything, all_times, run.elapsed))
        out("")
        out("| page read | anonymous p50 / p99 ms | signed in p50 / p99 ms | count |")
        out("| --- | ---: | ---: | ---: |")
        pages = dict.fromkeys(
            page for (kind, page) in tally.statuses if kind in (READ_ANONYMOUS, READ_SIGNED_IN)
        )
        for page in pages:
            cells = []
            for kind in (READ_ANONYMOUS, READ_SIGNED_IN):
                times = tally.times.get((kind, page), [])
                cells.append(
                    f"{percentile(times, 0.5):.0f} / {percentile(times, 0.99):.0f}" if times else "-"
                )
            count = sum(sum(tally.statuses.get((kind, page), Counter()).values()) for kind in KINDS)
            out(f"| {page} | {cells[0]} | {cells[1]} | {count:,} |")
        posted = set(tally.posted)
        server_errors = sum(n for status, n in everything.items() if status is not None and status >= 500)
        lost = everything[None]
        limited = everything[429]
        other_4xx = sum(n for s, n in everything.items() if s is not None and 400 <= s < 500 and s != 429)
        log_text = run.log.read_text(errors="replace")
        out("")
        out(f"- 5xx answers: {server_errors}; requests with no answer: {lost}.")
        out(
            f"- Posts the site acknowledged (302 to the new comment): {len(tally.posted):,}; comments "
            f"stored since the start: {len(stored):,} (count difference {counted:,}); the same comments: "
            f"{'yes' if posted == stored and len(posted) == len(tally.posted) else 'NO'}."
        )
        out(
            f"- Acknowledged comments shown on the page the redirect leads to: {tally.shown:,} of "
            f"{len(tally.posted):,}; on the same page fetched right after by an anonymous visitor: "
            f"{tally.shown_anonymous:,}."
        )
        out(
            f"- 429 (rate limits): {limited}; other 4xx: {other_4xx}; commenters that ran out of "
            f"people allowed to post: {tally.out_of_budget}."
        )
        out(
            f"- gunicorn log ({run.log}): {log_text.count('Traceback')} tracebacks, "
            f"{log_text.count('WORKER TIMEOUT')} worker timeouts."
        )
        out("")
        problems = []
        if server_errors:
            problems.append(f"{server_errors} requests got a 5xx answer (see {run.log}).")
        if lost:
            problems.append(f"{lost} requests got no answer (see {run.log}).")
        if tally.shown_anonymous < len(tally.posted):
            self.stdout.write(
                self.style.WARNING(
                    f"Anonymous pages fetched right after a post that lacked the new comment: "
                    f"{len(tally.posted) - tally.shown_anonymous}. The public page cache was not forgotten in every worker"
                    + (
                        " (each has a local-memory cache of its own; set REDIS_URL)."
                        if cache == "LocMemCache"
                        else "."
                    )
                )
            )
        if len(tally.posted) != len(stored) or counted != len(stored) or posted != stored:
            problems.append(
                f"The comments stored differ from the posts acknowledged: {len(tally.posted)} acknowledged, "
                f"{len(stored)} stored (acknowledged, not stored: {sorted(posted - stored)[:10]}; stored, not acknowledged: "
                f"{sorted(stored - posted)[:10]})."
            )
        return problems

    @staticmethod
    def _row(label: str, statuses: Counter, times: list, elapsed: float) -> str:
        def between(low, high):
            return sum(n for s, n in statuses.items() if s is not None and low <= s < high)

        count = sum(statuses.values())
        p50 = f"{percentile(times, 0.5):.0f}" if times else "-"
        p99 = f"{percentile(times, 0.99):.0f}" if times else "-"
        return (
            f"| {label} | {count:,} | {between(200, 300):,} | {between(300, 400):,} | "
            f"{between(400, 500):,} ({statuses[429]:,}) | {between(500, 600):,} | {statuses[None]:,} | "
            f"{count / elapsed:.1f} | {p50} | {p99} |"
        )
