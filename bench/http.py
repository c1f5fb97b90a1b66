"""`manage.py bench --http`: the benchmark's pages under gunicorn (two workers) on loopback,
driven by wrk; each page's requests per second and median and 99th-percentile latency, as ratios
to the baseline page's, which is loaded just before it (the machine's speed drifts).

What cannot be asked over HTTP is left out and said so: a post (each needs a fresh form token),
and a first render after a change (each needs a change just before it). The compare page's diffs
are cached after its first request here: wrk asks the same address again and again."""

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from . import measure
from .server import HOST, WORKERS, allowed_host, end_session, gunicorn, refuse_if_taken, session_for

CONNECTIONS = 4  # two per worker: one waits while the other is served
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass
class Load:
    """One page under wrk."""

    case: measure.Case
    rate: float  # requests per second
    p50: float  # ms
    p99: float  # ms
    failed: int  # answers other than 2xx or 3xx, and socket errors
    baseline: "Load | None" = None  # the baseline's, loaded just before


def run(cases: list[measure.Case], seconds: int, port: int, out) -> list[Load]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise CommandError("--http needs wrk on the PATH (Debian: apt-get install wrk).")
    refuse_if_taken(port)
    baseline, *pages = cases
    skipped = [c for c in pages if c.post is not None or c.after_a_change]
    pages = [c for c in pages if c not in skipped]
    session = session_for(measure._reader())
    log = Path(tempfile.mkstemp(prefix="docket-bench-http-", suffix=".log")[1])
    out(f"Starting gunicorn ({WORKERS} workers) on {HOST}:{port}; its output goes to {log}")
    loads = []
    try:
        # The benchmark's URLs (the site's and the baseline page), as in the in-process run.
        with gunicorn(port, log, DJANGO_SETTINGS_MODULE="bench.http_settings"):
            for case in [baseline, *pages]:  # once each, untimed: both workers warm
                _wrk(wrk, case, port, session, 1)
            for case in pages:
                before = _wrk(wrk, baseline, port, session, seconds)
                loads.append(_wrk(wrk, case, port, session, seconds))
                loads[-1].baseline = before
    finally:
        end_session(session)
    for case in skipped:
        out(f"Not over HTTP: {case.label} (each request needs a change or a new form just before it).")
    return loads


def _wrk(wrk: str, case: measure.Case, port: int, session: str, seconds: int) -> Load:
    headers = {"Host": allowed_host(), "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.9.0.1"}
    if case.signed_in:
        headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session}"
    command = [wrk, "--threads", "2", "--connections", str(CONNECTIONS), "--duration", f"{seconds}s"]
    command += ["--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"http://{HOST}:{port}{case.url}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if result.returncode != 0:
        raise CommandError(f"wrk failed on {case.url}:\n{result.stderr or result.stdout}")
    return parse(case, result.stdout)


def parse(case: measure.Case, report: str) -> Load:
    """A Load from wrk's report (with --latency)."""
    rate = _RATE.search(report)
    latency = {share: float(value) * _UNITS[unit] for share, value, unit in _LATENCY.findall(report)}
    if rate is None or set(latency) != {"50", "99"}:
        raise CommandError(f"Could not read wrk's report:\n{report}")
    errors = _ERRORS.search(report)
    socket_errors = _SOCKET_ERRORS.search(report)
    failed = (int(errors.group(1)) if errors else 0) + (
        sum(map(int, socket_errors.groups())) if socket_errors else 0
    )
    return Load(case, float(rate.group(1)), latency["50"], latency["99"], failed)


def table(loads: list[Load], seconds: int) -> list[str]:
    """The report's lines: a Markdown table, each ratio against the baseline loaded before it."""
    lines = [
        f"Under gunicorn ({WORKERS} workers), wrk with {CONNECTIONS} connections for {seconds} s a page on "
        f"loopback; each page after {seconds} s of the baseline page, which its ratios are to.",
        "",
        "| page | data | requests/s | p50 ms | p99 ms | baseline requests/s | "
        "time per request vs baseline | p50 vs baseline | p99 vs baseline | failed |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for load in loads:
        base = load.baseline
        lines.append(
            f"| {load.case.label} | {load.case.size} | {load.rate:,.0f} | {load.p50:.2f} | {load.p99:.2f} | "
            f"{base.rate:,.0f} | {base.rate / load.rate:.1f}x | {load.p50 / base.p50:.1f}x | "
            f"{load.p99 / base.p99:.1f}x | {load.failed} |"
        )
    lines += [
        "",
        "The compare page skips the page cache here as in the in-process run, but its word diffs come "
        "from the cache after the first request (wrk asks the same address each time).",
    ]
    return lines
