"""The benchmark's data set and runner (bench/): deterministic, realistic, and the runner reports
every page with its budget. Timing itself is never asserted here (the benchmark is for that)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test.utils import override_settings

from bench import measure
from bench.seed import MAIN_SLUG, MEASURED_COUNTS, Seeder
from comments.models import Comment
from definition.models import ClauseText, Version
from docket import markdown, pagecache


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first, again, other = Seeder(42, "small"), Seeder(42, "small"), Seeder(7, "small")
    assert first.bodies == again.bodies
    assert first.threads(500) == again.threads(500)
    assert first.bodies != other.bodies


def test_threads_look_like_a_discussion():
    parents = Seeder(42, "small").threads(1_000)
    roots = [p for p in parents if p is None]
    assert 200 < len(roots) < 450
    depth = [0] * len(parents)
    for index, parent in enumerate(parents):
        if parent is not None:
            assert parent < index  # a reply answers something already said
            depth[index] = depth[parent] + 1
    assert max(depth) > 5  # some exchanges go deeper than the page indents


def test_bodies_are_around_600_bytes_some_3_kb_with_markup():
    bodies = Seeder(42, "small").bodies
    sizes = sorted(len(b) for b in bodies)
    assert 500 < sizes[len(sizes) // 2] < 900
    assert sum(1 for s in sizes if s >= 3_000) >= len(bodies) // 20
    joined = "\n".join(bodies)
    for mark in ("*", "](https://", "\n- ", "> ", "\n1. "):
        assert mark in joined


# Before the tests that seed (the data set is built once for the module, at its first use).
def test_bench_refuses_an_empty_database(db):
    with pytest.raises(CommandError, match="seed_bench"):
        call_command("bench", "--rounds", "3", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The small data set, built once for this module inside a transaction that is rolled back
    at its end, so the rest of the suite never sees it (each test nests in a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_bench", "--seed", "42", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_seed_bench_builds_the_measured_clauses_and_ten_thousand_comments(seeded):
    latest = Version.objects.filter(definition__slug=MAIN_SLUG).order_by("-sequence").first()
    assert Version.objects.filter(definition__slug=MAIN_SLUG, status="published").count() == 10
    texts = list(ClauseText.objects.filter(version=latest).order_by("position"))
    assert len(texts) == 100
    counts = [Comment.objects.filter(version=latest, clause_id=t.clause_id).count() for t in texts[:4]]
    assert counts == list(MEASURED_COUNTS)
    assert Comment.objects.count() == 10_000
    for comment in Comment.objects.order_by("?")[:20]:
        assert comment.body_html == markdown.render(comment.body)
        assert comment.root_id is not None
        if comment.parent_id:
            assert comment.root_id == Comment.objects.get(pk=comment.parent_id).root_id


@pytest.mark.django_db
def test_seed_bench_twice_with_the_same_seed_does_nothing_and_another_seed_is_refused(seeded):
    out = io.StringIO()
    call_command("seed_bench", "--seed", "42", stdout=out)
    assert "nothing to do" in out.getvalue()
    with pytest.raises(CommandError, match="already holds a benchmark set"):
        call_command("seed_bench", "--seed", "43", stdout=io.StringIO())


@pytest.mark.django_db
def test_bench_prints_every_page_with_queries_size_ratio_and_budget(seeded, monkeypatch):
    everything = measure.cases()
    # A few pages and one worst Markdown input keep this test short; the table's shape is the point.
    monkeypatch.setattr(
        measure, "cases", lambda: [c for c in everything if c.signed_in is False][:3] + everything[-1:]
    )
    monkeypatch.setattr(measure, "MARKDOWN_WORST", {"10,000 [": "[" * 10_000})
    out = io.StringIO()
    try:
        call_command("bench", "--rounds", "3", stdout=out, stderr=io.StringIO())
    except SystemExit as exit:  # a failed budget exits 1; the table is printed either way
        assert exit.code == 1
    text = out.getvalue()
    assert "| page | data | queries | KB | median ms | vs baseline | budget | result |" in text
    assert "| baseline |" in text
    assert "clause page, first page of threads (anonymous) | 10 comments |" in text
    assert "| posting a 1 KB comment | 1 KB |" in text
    assert "queries <= 10; time <= 15x" in text
    assert "Markdown worst cases" in text and "10,000 [" in text
    assert "Python " in text and "Django " in text and "CPUs" in text


@pytest.mark.django_db
def test_bench_only_times_the_pages_named_and_the_baseline(seeded, monkeypatch):
    monkeypatch.setattr(measure, "MARKDOWN_WORST", {"10,000 [": "[" * 10_000})
    out = io.StringIO()
    try:
        call_command("bench", "--rounds", "3", "--only", "definition home", stdout=out, stderr=io.StringIO())
    except SystemExit as exit:
        assert exit.code == 1
    rows = [line for line in out.getvalue().splitlines() if line.startswith("| ") and "---" not in line]
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| baseline", "| definition home (anonymous)"]
    with pytest.raises(CommandError, match="No page's name contains 'no such page'"):
        call_command("bench", "--rounds", "3", "--only", "no such page", stdout=io.StringIO())


@pytest.mark.django_db
def test_no_get_in_the_benchmark_renders_markdown(seeded):
    results = measure.Bench(rounds=1).run([c for c in measure.cases() if c.post is None and not c.signed_in])
    assert all(r.renders == 0 for r in results)
    assert all(r.status == 200 for r in results)


@pytest.mark.django_db
def test_a_first_render_after_a_change_is_timed_on_a_render_not_on_a_kept_page(seeded, settings):
    settings.PAGE_CACHE_SECONDS = 60  # as make bench runs
    after = [c for c in measure.cases() if c.after_a_change]
    assert {c.name for c in after} == {
        "clause page, first render after a change",
        "version page, first render after a change",
    }
    assert all(c.max_ratio and c.max_queries and not c.signed_in for c in after)
    bench = measure.Bench(rounds=1)
    with override_settings(ROOT_URLCONF="bench.urls"):
        for case in after:
            bench.request(case)  # kept, were it not for the change
            _, response = bench.request(case)
            assert response.status_code == 200
            assert response.get(pagecache.HEADER) == "miss"
