"""`manage.py bench --http`: wrk's report read right, ratios against the baseline loaded before
each page, failures counted, and a clear message without wrk. (The run itself starts gunicorn on
a committed benchmark database; it is documented in docs/performance.md, not run here.)"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bench import http, measure

REPORT = """Running 5s test @ http://127.0.0.1:8766/bench-main/0.10/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.98ms  688.02us   9.50ms   79.83%
    Req/Sec     1.00k   218.56     1.95k    95.24%
  Latency Distribution
     50%  850.00us
     75%    2.28ms
     90%    2.66ms
     99%    1.20s
  2101 requests in 1.10s, 1.04MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:   1911.39
Transfer/sec:      0.95MB
"""


def case(name="version page"):
    return measure.Case(name, "100 clauses", "/x/")


def test_wrk_s_report_is_read_with_its_units_and_every_failure():
    load = http.parse(case(), REPORT)
    assert load.rate == pytest.approx(1911.39)
    assert load.p50 == pytest.approx(0.85)  # microseconds
    assert load.p99 == pytest.approx(1200.0)  # seconds
    assert load.failed == 7 + 3  # non-2xx answers and socket errors


def test_a_report_without_latencies_is_refused():
    with pytest.raises(CommandError, match="Could not read wrk's report"):
        http.parse(case(), "Requests/sec: 10\n")


def test_each_page_is_compared_with_the_baseline_loaded_before_it():
    slow = http.Load(case("compare page"), rate=100.0, p50=10.0, p99=40.0, failed=0)
    slow.baseline = http.Load(case(measure.BASELINE), rate=1000.0, p50=1.0, p99=2.0, failed=0)
    row = next(line for line in http.table([slow], 5) if line.startswith("| compare page"))
    assert row.endswith("| 100 | 10.00 | 40.00 | 1,000 | 10.0x | 10.0x | 20.0x | 0 |")


@pytest.mark.django_db
def test_without_wrk_it_says_how_to_get_it(monkeypatch):
    monkeypatch.setattr(measure, "cases", lambda: [case(measure.BASELINE), case()])
    monkeypatch.setattr(http.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match="apt-get install wrk"):
        call_command("bench", "--http", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize("option", [["--http-seconds", "0"], ["--port", "80"]])
def test_its_options_are_checked(option):
    with pytest.raises(CommandError, match="must be between"):
        call_command("bench", "--http", *option, stdout=io.StringIO(), stderr=io.StringIO())
