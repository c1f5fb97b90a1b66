"""python manage.py bench: time the real pages against a baseline page, check the budgets."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import http as bench_http
from bench import measure


class Command(BaseCommand):
    help = (
        "Time each real page against a baseline page (a small template through the full "
        "middleware, no database), in interleaved rounds in one process; print page, data size, "
        "SQL queries, response KB, median ms, ratio to the baseline, budget and pass/fail. Needs "
        "the data of `seed_bench`. Exits 1 when a budget fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=30, help="Timed rounds per page (default 30).")
        parser.add_argument("--save", type=Path, help="Write the results as JSON to this file.")
        parser.add_argument(
            "--against",
            type=Path,
            help="A JSON file from an earlier --save (e.g. at 10,000 comments): each page's query "
            "count must be unchanged and its ratio to the baseline at most 1.5 times the earlier one.",
        )

        parser.add_argument(
            "--http",
            action="store_true",
            help="Instead: the same pages under gunicorn (two workers) driven by wrk on loopback; "
            "requests per second, p50 and p99 as ratios to the baseline page's (loaded just before "
            "each page). Needs wrk. Exits 1 when a request fails.",
        )
        parser.add_argument(
            "--http-seconds", type=int, default=5, help="With --http: seconds of load per page (default 5)."
        )
        parser.add_argument(
            "--port", type=int, default=8766, help="With --http: loopback port (default 8766)."
        )
        parser.add_argument(
            "--only",
            action="append",
            metavar="TEXT",
            help="Time only the pages whose name contains TEXT (and the baseline); may be repeated. "
            "For working on one page's milliseconds: its ratio is not comparable with a full run's, "
            "whose baseline is timed between all the pages (colder, so slower).",
        )

    def handle(
        self, *args, rounds, save, against, only=None, http=False, http_seconds=5, port=8766, **options
    ):
        if rounds < 3:
            raise CommandError("--rounds must be at least 3.")
        if http and not 1 <= http_seconds <= 60:
            raise CommandError("--http-seconds must be between 1 and 60.")
        if http and not 1024 <= port <= 65535:
            raise CommandError("--port must be between 1024 and 65535.")
        if settings.DEBUG:
            self.stderr.write("Warning: DEBUG is on; production runs with it off (make bench sets DEBUG=0).")
        earlier = self._load(against) if against else None
        try:
            cases = measure.cases()
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        if only:
            cases = [c for c in cases if c.name == measure.BASELINE or any(t in c.name for t in only)]
            if len(cases) == 1:
                raise CommandError(f"No page's name contains {' or '.join(map(repr, only))}.")
        if http:
            return self._http(cases, http_seconds, port)
        # The Markdown worst cases first, in a small heap: collecting garbage over the pages'
        # heap would be timed as rendering.
        markdown_times = measure.markdown_times()
        results = measure.Bench(rounds).run(cases)
        env = measure.environment()
        checks = measure.checks(results)
        if earlier:
            checks += self._compare(results, earlier)
        self._print(env, results, checks, rounds, markdown_times)
        if save:
            save.write_text(json.dumps(self._as_json(env, results), indent=2) + "\n")
            self.stdout.write(f"Saved to {save}")
        failed = [c for c in checks if not c.ok]
        if failed:
            self.stdout.write(self.style.ERROR(f"{len(failed)} budget(s) failed."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("Every budget holds."))

    def _print(self, env, results, checks, rounds, markdown_times):
        out = self.stdout.write
        out(
            f"Python {env['python']}, Django {env['django']}, {env['database']}, {env['cpus']} CPUs, "
            f"{env['machine']}; {env['comments']:,} comments; cache: {env['cache']}; DEBUG={'on' if env['debug'] else 'off'}; "
            f"median of {rounds} interleaved rounds"
        )
        baseline = next(r for r in results if r.case.name == measure.BASELINE).median
        budgets = {c.what: c for c in checks}
        out("")
        out("| page | data | queries | KB | median ms | vs baseline | budget | result |")
        out("| --- | --- | ---: | ---: | ---: | ---: | --- | --- |")
        for result in results:
            case = result.case
            label = case.label
            limits = [b for w, b in budgets.items() if w.startswith(label + ":")]
            budget = "; ".join(f"{b.what.split(': ')[-1]} {b.limit}" for b in limits if b.limit != "0") or "-"
            verdict = "-" if not limits else ("pass" if all(b.ok for b in limits) else "FAIL")
            who = (
                ""
                if case.post or case.name == measure.BASELINE
                else (" (signed in)" if case.signed_in else " (anonymous)")
            )
            out(
                f"| {case.name}{who} | {case.size} | {result.queries} | {result.size_kb:.1f} | "
                f"{result.median:.2f} | {result.median / baseline:.1f}x | {budget} | {verdict} |"
            )
        out("")
        in_table = {result.case.label for result in results}
        for check in checks:
            row, _, what = check.what.rpartition(": ")
            if row in in_table and what in ("time", "queries"):
                continue  # shown in the table
            out(f"- {check.what}: {check.value} (budget {check.limit}) {'pass' if check.ok else 'FAIL'}")
        out("")
        out("Markdown worst cases at the maximum comment length (budget 250 ms each):")
        for name, length, ms in markdown_times:
            ok = ms <= 250
            checks.append(measure.Check(f"Markdown {name}", f"{ms:.0f} ms", "<= 250 ms", ok))
            out(f"- {name} ({length:,} characters): {ms:.1f} ms {'pass' if ok else 'FAIL'}")

    def _http(self, cases, seconds, port):
        env = measure.environment()
        loads = bench_http.run(cases, seconds, port, self.stdout.write)
        self.stdout.write(
            f"Python {env['python']}, Django {env['django']}, {env['database']}, {env['cpus']} CPUs, "
            f"{env['machine']}; {env['comments']:,} comments; cache: {env['cache']}"
        )
        self.stdout.write("")
        for line in bench_http.table(loads, seconds):
            self.stdout.write(line)
        failed = sum(load.failed + load.baseline.failed for load in loads)
        if failed:
            self.stdout.write(self.style.ERROR(f"{failed} request(s) failed (not 2xx or 3xx, or no answer)."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("Every request answered 2xx or 3xx."))

    @staticmethod
    def _as_json(env, results):
        baseline = next(r for r in results if r.case.name == measure.BASELINE).median
        return {
            "environment": env,
            "pages": [
                {
                    "page": r.case.label,
                    "size": r.case.size,
                    "queries": r.queries,
                    "kb": round(r.size_kb, 1),
                    "median_ms": round(r.median, 3),
                    "ratio": round(r.median / baseline, 3),
                }
                for r in results
            ],
        }

    @staticmethod
    def _load(path):
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"--against {path}: {exc}") from None

    @staticmethod
    def _compare(results, earlier):
        baseline = next(r for r in results if r.case.name == measure.BASELINE).median
        before = {p["page"]: p for p in earlier["pages"]}
        found = []
        size = f"{earlier['environment']['comments']:,} comments"
        for result in results:
            key = result.case.label
            if result.case.name == measure.BASELINE or key not in before or result.case.post:
                continue
            then = before[key]
            label = f"{result.case.label} vs at {size}"
            found.append(
                measure.Check(
                    f"{label}: queries",
                    f"{then['queries']} -> {result.queries}",
                    "unchanged",
                    then["queries"] == result.queries,
                )
            )
            growth = (result.median / baseline) / then["ratio"]
            found.append(measure.Check(f"{label}: time", f"{growth:.2f}x", "<= 1.5x", growth <= 1.5))
        return found
