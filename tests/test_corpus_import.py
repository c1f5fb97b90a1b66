"""The nine real drafts of the Open Source AI Definition import, in order, as one definition."""

from pathlib import Path

import pytest
from django.urls import reverse

from definition.importer import import_version
from definition.models import ClauseText, Definition, Version

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "osaid"
FILES = sorted(CORPUS.glob("[0-9][0-9]-v*.md")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason=f"the OSAID corpus is not at {CORPUS}")

SLUG = "osaid"


def label_of(path: Path) -> str:
    return path.name.split("-v", 1)[1].removesuffix(".md")


@pytest.fixture
def imports(db):
    """Every draft imported and published in order: a list of (label, ImportResult)."""
    results = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        result = import_version(definition_slug=SLUG, label=label_of(path), text=text, publish=True)
        results.append((label_of(path), result))
    return results


def clause_ids_with_heading(heading: str) -> list[int]:
    return list(
        ClauseText.objects.filter(version__definition__slug=SLUG, heading=heading).values_list(
            "clause_id", flat=True
        )
    )


def test_the_corpus_has_nine_drafts():
    assert len(FILES) == 9


def test_all_nine_drafts_become_published_versions_of_one_definition(imports):
    assert Definition.objects.count() == 1
    versions = Version.objects.filter(definition__slug=SLUG).order_by("sequence")
    assert [v.label for v in versions] == [label_of(path) for path in FILES]
    assert (versions.first().label, versions.last().label) == ("0.0.2", "1.0-RC1")
    assert all(v.is_published for v in versions)
    assert versions.count() == 9


def test_every_version_has_its_clauses(imports):
    for label, result in imports:
        assert result.version.clause_texts.count() == len(result.document.clauses) > 0, label


def test_the_preamble_keeps_one_identity_across_all_nine_versions(imports):
    ids = clause_ids_with_heading("Preamble")
    assert len(ids) == 9
    assert len(set(ids)) == 1


def test_what_is_open_source_ai_keeps_one_identity_across_all_nine_versions(imports):
    ids = clause_ids_with_heading("What is Open Source AI")
    assert len(ids) == 9
    assert len(set(ids)) == 1


def test_the_version_line_is_matched_as_renamed_from_one_version_to_the_next(imports):
    renamed = [
        label
        for label, result in imports
        for row in result.rows
        if row.status == "renamed"
        and row.previous.heading.startswith("version ")
        and row.parsed.heading == f"version {label}"
    ]
    assert len(renamed) >= 3
    # One clause carries the version line through those versions.
    keys = {row.key for _, result in imports for row in result.rows if row.status == "renamed"}
    assert len({k for k in keys if k.startswith("version")}) == 1


def test_clauses_that_disappear_are_reported_removed(imports):
    reported_any = False
    for (_, before), (label, after) in zip(imports, imports[1:], strict=False):
        old_keys = set(before.version.clause_texts.values_list("clause__key", flat=True))
        new_keys = set(after.version.clause_texts.values_list("clause__key", flat=True))
        removed = {row.key for row in after.rows if row.status == "removed"}
        assert removed == old_keys - new_keys, label
        reported_any = reported_any or bool(removed)
    assert reported_any


def test_the_compare_page_between_the_first_and_last_version_shows_the_changes(imports, reader):
    first, last = imports[0][0], imports[-1][0]
    response = reader.get(reverse("definition:compare", args=[SLUG, (first, last)]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<ins>" in html or "<del>" in html


def test_the_history_of_what_is_open_source_ai_shows_the_changes(imports, reader):
    key = ClauseText.objects.filter(heading="What is Open Source AI").values_list("clause__key", flat=True)[0]
    assert key == "what-is-open-source-ai"
    response = reader.get(reverse("definition:clause_history", args=[SLUG, key]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<ins>" in html or "<del>" in html
