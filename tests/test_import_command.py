"""The import_definition command: what it reports, and how it refuses bad files."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from definition.models import Clause, ClauseText, Definition, Version
from tests.conftest import document, make_definition


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Definition, Version, Clause, ClauseText)}


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_definition", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def charter(db):
    return make_definition(
        versions={
            "1.0": [
                ("scope", "Scope", "What this covers."),
                ("terms", "Terms", "The words we use and what each of them means here."),
                ("members", "Members", "Anyone may join."),
            ]
        }
    )


@pytest.fixture
def next_draft(tmp_path):
    """A 2.0 draft: scope kept by key, terms renamed, fees new, members removed."""
    path = tmp_path / "charter-2.0.md"
    path.write_text(
        "# The Test Charter\n\n"
        "## Scope {#scope}\n\nWhat this covers, and more.\n\n"
        "## Vocabulary\n\nThe words we use and what each of them means here.\n\n"
        "## Fees\n\nMembers pay a yearly fee.\n",
        encoding="utf-8",
    )
    return path


def test_it_prints_how_each_clause_was_matched(charter, next_draft):
    lines = run(next_draft, "--definition", "charter", "--label", "2.0").splitlines()
    assert lines[0] == "  kept      scope  “Scope” (matched by key, text changed)"
    assert lines[1].startswith("  renamed   terms  “Terms” → “Vocabulary” (matched by similarity 0.")
    assert lines[2] == "  new       fees  “Fees” (line 11)"
    assert lines[3] == "  removed   members  “Members”"


def test_it_prints_a_summary_of_what_it_imported(charter, next_draft):
    output = run(next_draft, "--definition", "charter", "--label", "2.0")
    assert (
        output.splitlines()[-1]
        == "Imported charter 2.0 (saved as a draft): 1 kept, 1 renamed, 1 new, 1 removed."
    )
    assert Version.objects.get(definition=charter, label="2.0").status == Version.Status.DRAFT


def test_it_reports_a_match_by_heading(charter, tmp_path):
    path = tmp_path / "draft.md"
    path.write_text(
        "# The Test Charter\n\n## Scope\n\nWhat this covers.\n\n## Terms\n\nOther words.\n\n"
        "## Members\n\nAnyone may join.\n",
        encoding="utf-8",
    )
    output = run(path, "--definition", "charter", "--label", "2.0")
    assert "  kept      scope  “Scope” (matched by heading)\n" in output
    assert "  kept      terms  “Terms” (matched by heading, text changed)\n" in output


def test_publish_publishes_the_new_version(charter, next_draft):
    output = run(next_draft, "--definition", "charter", "--label", "2.0", "--publish")
    assert "Imported charter 2.0 (published)" in output
    assert Version.objects.get(definition=charter, label="2.0").is_published


def test_a_first_import_creates_the_definition_with_the_given_title(db, tmp_path):
    path = tmp_path / "garden.md"
    path.write_text(document("Draft Title", [("scope", "Scope", "Text.")]), encoding="utf-8")
    output = run(path, "--definition", "garden", "--label", "0.1", "--title", "Garden Charter")
    assert "  new       scope  “Scope” (line 3)\n" in output
    assert output.splitlines()[-1] == "Imported garden 0.1 (saved as a draft): 1 new."
    assert Definition.objects.get(slug="garden").title == "Garden Charter"


def test_a_dry_run_says_nothing_was_written_and_writes_nothing(charter, next_draft):
    before = counts()
    output = run(next_draft, "--definition", "charter", "--label", "2.0", "--dry-run")
    assert counts() == before
    assert "  new       fees  “Fees” (line 11)\n" in output
    assert output.splitlines()[-1] == (
        "Dry run: version 2.0 would have 1 kept, 1 renamed, 1 new, 1 removed. Nothing was written."
    )


def test_a_dry_run_with_publish_publishes_nothing(charter, next_draft):
    run(next_draft, "--definition", "charter", "--label", "2.0", "--dry-run", "--publish")
    assert not Version.objects.filter(label="2.0").exists()


def test_bad_input_raises_an_error_naming_the_file_line_and_problem(charter, tmp_path):
    path = tmp_path / "broken.md"
    path.write_text("# T\n\n## A {#a}\n\nText.\n\n## B {#a}\n", encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError) as caught:
        run(path, "--definition", "charter", "--label", "2.0")
    assert str(caught.value) == f"{path}: line 7: the clause key {{#a}} is used twice (first on line 3)."
    assert counts() == before


def test_an_empty_file_is_refused(charter, tmp_path):
    path = tmp_path / "empty.md"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="the file is empty") as caught:
        run(path, "--definition", "charter", "--label", "2.0")
    assert str(caught.value).startswith(f"{path}: ")


def test_a_reserved_label_is_refused_naming_the_file_and_label(charter, next_draft):
    with pytest.raises(CommandError) as caught:
        run(next_draft, "--definition", "charter", "--label", "latest")
    message = str(caught.value)
    assert message.startswith(f"{next_draft}: ")
    assert "“latest”" in message
    assert "reserved" in message
    assert not Version.objects.filter(label="latest").exists()


def test_an_existing_label_is_refused(charter, next_draft):
    before = counts()
    with pytest.raises(CommandError, match="version 1.0 of “charter” already exists"):
        run(next_draft, "--definition", "charter", "--label", "1.0")
    assert counts() == before


def test_a_missing_file_is_refused(db, tmp_path):
    path = tmp_path / "nowhere.md"
    with pytest.raises(CommandError) as caught:
        run(path, "--definition", "charter", "--label", "1.0")
    assert str(caught.value) == f"{path}: no such file"
    assert counts() == {"Definition": 0, "Version": 0, "Clause": 0, "ClauseText": 0}


def test_a_file_that_is_not_utf8_is_refused(db, tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("# Café\n\n## Menu\n\nCrème brûlée.\n".encode("latin-1"))
    with pytest.raises(CommandError) as caught:
        run(path, "--definition", "cafe", "--label", "1.0")
    message = str(caught.value)
    assert message.startswith(f"{path}: not UTF-8 text")
    assert "at byte 5" in message
    assert counts() == {"Definition": 0, "Version": 0, "Clause": 0, "ClauseText": 0}


def test_a_utf8_file_with_a_byte_order_mark_keeps_its_title(db, tmp_path):
    path = tmp_path / "bom.md"
    path.write_text("\ufeff# Garden Charter\n\n## Scope\n\nText.\n", encoding="utf-8")
    run(path, "--definition", "garden", "--label", "0.1")
    assert Definition.objects.get(slug="garden").title == "Garden Charter"
    assert list(ClauseText.objects.values_list("heading", flat=True)) == ["Scope"]
