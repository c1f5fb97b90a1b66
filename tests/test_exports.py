"""Exports (issue 6): a version as re-importable Markdown and as one printable page; every comment
of a definition with its disposition as CSV and JSON; comments as W3C Web Annotations."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from definition.importer import import_version
from definition.models import Definition
from moderation import actions
from tests.conftest import make_comment, make_definition, make_user, many_clauses

BASE = "http://testserver"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "osaid"
CORPUS_FILES = sorted(CORPUS.glob("[0-9][0-9]-v*.md")) if CORPUS.is_dir() else []


def exported_markdown(client, slug, label) -> str:
    response = client.get(reverse("exports:markdown", args=[slug, label]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    return response.content.decode()


def round_trip(client, slug, label, new_label):
    """Export a version, import the export as a new published version, and compare the two."""
    import_version(
        definition_slug=slug, label=new_label, text=exported_markdown(client, slug, label), publish=True
    )
    response = client.get(reverse("definition:compare", args=[slug, (label, new_label)]))
    assert response.status_code == 200
    return response


def assert_nothing_changed(response):
    rows = response.context["rows"]
    assert rows
    assert {row.key: row.status for row in rows} == {row.key: "unchanged" for row in rows}
    assert not any(row.renumbered for row in rows)
    page = response.content.decode()
    assert "0 changed, 0 renamed, 0 added, 0 removed" in page
    assert page.count('class="compare-row status-unchanged"') == len(rows)


def assert_same_texts(definition_slug, old_label, new_label):
    """Stricter than the compare page (which ignores whitespace): the same clauses in the same
    order, at the same level, rendering the same HTML."""
    definition = Definition.objects.get(slug=definition_slug)

    def texts(label):
        version = definition.versions.get(label=label)
        return [
            (t.clause.key, t.number, t.heading, t.level, t.body_html)
            for t in version.clause_texts.select_related("clause").order_by("position")
        ]

    assert texts(new_label) == texts(old_label)


NESTED = """# The Nested Charter

Some untitled words before the first heading,
over two lines.

## Scope {#scope}

This charter covers:

- gardens,
- orchards, and
  - the paths between them;
- ponds.

## Rules {#rules}

1. Be kind.
2. Share tools.

### Tools {#tools}

Tools live in the shed:

```python
# Not a heading: a comment in code.
def lend(tool):
    return tool
```

#### Small tools {#small-tools}

> A quoted *note* with a [link](https://example.org/).

Trowels, `forks` and **gloves**.

### Watering

Water in the evening:

    water = "every evening"  # an indented code block

## Last words {#last-words}

That is all.
"""


def test_the_markdown_export_of_the_demo_re_imports_with_no_change(reader, db):
    call_command("load_demo", stdout=io.StringIO())
    assert_nothing_changed(round_trip(reader, "open-recipe", "1.0", "1.0-again"))
    assert_same_texts("open-recipe", "1.0", "1.0-again")


def test_the_markdown_export_of_an_older_demo_version_re_imports_with_no_change(reader, demo_definition):
    # Re-imported after 1.0, so the keys must carry the identity: fees is not in 1.0.
    assert_nothing_changed(round_trip(reader, "charter", "0.2", "0.2-again"))


def test_an_untitled_introduction_nested_levels_lists_and_code_blocks_survive_the_round_trip(reader, db):
    import_version(definition_slug="nested", label="1.0", text=NESTED, publish=True)
    assert_nothing_changed(round_trip(reader, "nested", "1.0", "1.1"))
    assert_same_texts("nested", "1.0", "1.1")


def test_a_clause_that_starts_with_an_indented_code_block_survives_the_round_trip(reader, db):
    text = '# Code\n\n## Setting {#setting}\n\n    water = "every evening"\n\nThen rest.\n'
    import_version(definition_slug="code", label="1.0", text=text, publish=True)
    assert_nothing_changed(round_trip(reader, "code", "1.0", "1.1"))
    assert_same_texts("code", "1.0", "1.1")


def test_the_markdown_export_keeps_every_clause_key(reader, db):
    import_version(definition_slug="nested", label="1.0", text=NESTED, publish=True)
    text = exported_markdown(reader, "nested", "1.0")
    assert text.startswith("# The Nested Charter\n")
    for key in ("scope", "rules", "tools", "small-tools", "watering", "last-words"):
        assert f"{{#{key}}}" in text
    assert "### Tools {#tools}" in text and "#### Small tools {#small-tools}" in text


@pytest.mark.skipif(not CORPUS_FILES, reason=f"the OSAID corpus is not at {CORPUS}")
def test_the_last_real_draft_survives_the_round_trip(reader, db):
    assert len(CORPUS_FILES) == 9
    for path in CORPUS_FILES:
        label = path.name.split("-v", 1)[1].removesuffix(".md")
        import_version(
            definition_slug="osaid", label=label, text=path.read_text(encoding="utf-8"), publish=True
        )
    assert label == "1.0-RC1"
    assert_nothing_changed(round_trip(reader, "osaid", "1.0-RC1", "1.0-RC1-again"))
    assert_same_texts("osaid", "1.0-RC1", "1.0-RC1-again")


def test_the_print_page_has_every_clause_and_links_the_print_stylesheet(reader, demo_definition):
    version = demo_definition.versions.get(label="0.2")
    response = reader.get(reverse("exports:print", args=["charter", "0.2"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<link rel="stylesheet" href="/static/css/print.css">' in page
    assert reader.get("/static/css/print.css").status_code == 200
    for text in version.clause_texts.select_related("clause"):
        assert f'<section class="clause" id="{text.clause.key}">' in page
        assert text.heading in page
        assert text.body_html.strip() in page
    assert page.count('<section class="clause"') == version.clause_texts.count() == 4


def test_exports_of_unknown_or_draft_versions_are_404(reader, demo_definition):
    make_definition(slug="charter", versions={"2.0": [("scope", "Scope", "Draft.")]}, publish=False)
    for name in ("markdown", "print", "annotations"):
        assert reader.get(reverse(f"exports:{name}", args=["charter", "9.9"])).status_code == 404, name
        assert reader.get(reverse(f"exports:{name}", args=["nothing", "1.0"])).status_code == 404, name
        assert reader.get(reverse(f"exports:{name}", args=["charter", "2.0"])).status_code == 404, name
    assert reader.get(reverse("exports:all_comments", args=["nothing", "csv"])).status_code == 404
    assert reader.get(reverse("exports:all_comments", args=["charter", "xml"])).status_code == 404


@pytest.fixture
def record(demo_definition):
    """Thread-starting comments on two versions, a reply, a hidden one and dispositions."""
    steward, moderator = make_user(groups=["Stewards"]), make_user(groups=["Moderators"])
    author = make_user()
    old, new = demo_definition.versions.get(label="0.1"), demo_definition.versions.get(label="1.0")
    fees = make_comment(author, old, "fees", body="Fees keep people out.")
    make_comment(author, old, "fees", body="A reply, not a thread.", parent=fees)
    scope = make_comment(author, new, "scope", body='=HYPERLINK("http://evil.example")')
    members = make_comment(author, new, "members", body="-2+3 members")
    hidden = make_comment(author, new, "members", body="Secret hidden words.")
    actions.hide(comment=hidden, actor=moderator, reason="Abuse.")
    actions.record_disposition(
        comment=fees, by=steward, status="accepted", rationale="Fees removed.", addressed_in=new
    )
    actions.record_disposition(comment=scope, by=steward, status="declined", rationale="@no")
    return {"fees": fees, "scope": scope, "members": members, "hidden": hidden}


def test_the_comments_json_has_every_thread_starting_comment_across_versions_with_its_disposition(
    reader, record
):
    response = reader.get(reverse("exports:all_comments", args=["charter", "json"]))
    assert response.status_code == 200
    assert response.streaming
    document = json.loads(b"".join(response.streaming_content))
    assert document["definition"] == "charter"
    rows = {row["tracking_number"]: row for row in document["comments"]}
    assert set(rows) == {record[name].tracking_number for name in ("fees", "scope", "members", "hidden")}
    fees = rows[record["fees"].tracking_number]
    assert (fees["version"], fees["disposition"], fees["addressed_in"]) == ("0.1", "accepted", "1.0")
    assert fees["rationale"] == "Fees removed."
    assert rows[record["scope"].tracking_number]["disposition"] == "declined"
    assert rows[record["members"].tracking_number]["disposition"] == "awaiting"
    assert rows[record["members"].tracking_number]["version"] == "1.0"


def test_the_comments_exports_never_carry_hidden_text_or_emails(reader, record):
    for fmt in ("csv", "json"):
        response = reader.get(reverse("exports:all_comments", args=["charter", fmt]))
        body = b"".join(response.streaming_content).decode()
        assert "Secret hidden words" not in body, fmt
        assert "hidden by a moderator" in body, fmt
        assert "@example.org" not in body, fmt
        assert "A reply, not a thread." not in body, fmt


def csv_rows(client):
    response = client.get(reverse("exports:all_comments", args=["charter", "csv"]))
    assert response.status_code == 200
    assert response.streaming  # a long record is written as it is read
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_comments_csv_has_every_thread_starting_comment_with_its_disposition(reader, record):
    rows = {row["tracking_number"]: row for row in csv_rows(reader)}
    assert set(rows) == {record[name].tracking_number for name in ("fees", "scope", "members", "hidden")}
    fees = rows[record["fees"].tracking_number]
    assert (fees["clause"], fees["disposition"], fees["addressed_in"]) == ("fees", "accepted", "1.0")
    assert fees["comment"] == "Fees keep people out."


def test_each_csv_row_names_the_version_its_comment_was_on(reader, record):
    rows = {row["tracking_number"]: row for row in csv_rows(reader)}
    assert rows[record["fees"].tracking_number]["version"] == "0.1"
    assert rows[record["scope"].tracking_number]["version"] == "1.0"


def test_csv_cells_that_would_run_as_formulas_are_neutralised(reader, record):
    rows = {row["tracking_number"]: row for row in csv_rows(reader)}
    assert rows[record["scope"].tracking_number]["comment"] == '\'=HYPERLINK("http://evil.example")'
    assert rows[record["scope"].tracking_number]["rationale"] == "'@no"
    assert rows[record["members"].tracking_number]["comment"] == "'-2+3 members"
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def annotations(client, slug, label) -> dict:
    response = client.get(reverse("exports:annotations", args=[slug, label]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(response.content)


def test_the_annotations_are_a_web_annotation_collection(reader, record):
    document = annotations(reader, "charter", "1.0")
    assert document["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert document["type"] == "AnnotationCollection"
    assert document["id"] == BASE + reverse("exports:annotations", args=["charter", "1.0"])
    page = document["first"]
    assert page["type"] == "AnnotationPage"
    assert document["total"] == len(page["items"]) == 2
    for item in page["items"]:
        assert item["type"] == "Annotation"
        assert item["id"].startswith(BASE + "/comments/")
        assert item["motivation"] in ("commenting", "replying")
        assert item["body"]["type"] == "TextualBody"
        assert item["body"]["format"] == "text/markdown"
        assert item["creator"]["type"] == "Person"
        assert item["created"]


def test_each_annotation_targets_its_clause_in_that_version(reader, record):
    items = {item["body"]["value"]: item for item in annotations(reader, "charter", "1.0")["first"]["items"]}
    assert items["-2+3 members"]["target"] == {"source": f"{BASE}/charter/1.0/members/"}
    assert items['=HYPERLINK("http://evil.example")']["target"]["source"] == f"{BASE}/charter/1.0/scope/"
    older = annotations(reader, "charter", "0.1")["first"]["items"]
    first = next(item for item in older if item["motivation"] == "commenting")
    assert first["target"]["source"] == f"{BASE}/charter/0.1/fees/"


def test_a_reply_annotation_targets_its_clause_and_the_comment_it_answers(reader, record):
    older = annotations(reader, "charter", "0.1")["first"]["items"]
    reply = next(item for item in older if item["motivation"] == "replying")
    clause, parent = reply["target"]
    assert clause == {"source": f"{BASE}/charter/0.1/fees/"}
    assert parent == BASE + reverse("comments:permalink", args=[record["fees"].pk])


def test_a_quoting_comment_has_a_text_quote_selector(reader, demo_definition):
    version = demo_definition.versions.get(label="1.0")
    make_comment(
        make_user(),
        version,
        "scope",
        body="Why orchards?",
        quote="community gardens",
        quote_prefix="This charter covers ",
        quote_suffix=" and orchards.",
    )
    (item,) = annotations(reader, "charter", "1.0")["first"]["items"]
    assert item["target"] == {
        "source": f"{BASE}/charter/1.0/scope/",
        "selector": {
            "type": "TextQuoteSelector",
            "exact": "community gardens",
            "prefix": "This charter covers ",
            "suffix": " and orchards.",
        },
    }


def test_the_annotations_never_carry_hidden_comment_text_or_emails(reader, record):
    response = reader.get(reverse("exports:annotations", args=["charter", "1.0"]))
    body = response.content.decode()
    assert "Secret hidden words" not in body
    assert record["hidden"].tracking_number not in body
    assert f"/comments/{record['hidden'].pk}/" not in body
    assert "@example.org" not in body


def test_the_comments_export_makes_as_many_queries_for_many_versions_as_for_one(db, commenter):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.conftest import client_for

    def count(slug):
        with CaptureQueriesContext(connection) as queries:
            response = client_for(None).get(reverse("exports:all_comments", args=[slug, "csv"]))
            b"".join(response.streaming_content)
        return len(queries)

    one = make_definition(slug="one", versions={"1": many_clauses(2)})
    make_comment(commenter, one.versions.get(), key="c0")
    many = make_definition(
        slug="many", versions={str(n): many_clauses(5, suffix=f" {n}") for n in range(1, 7)}
    )
    for version in many.versions.all():
        make_comment(commenter, version, key="c1")
    assert count("one") == count("many")
