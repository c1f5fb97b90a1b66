"""The Markdown importer: parsing a draft, matching its clauses to the last version, writing it."""

import pytest

from definition.importer import ImportProblem, import_version, match_clauses, parse_document
from definition.models import Clause, ClauseText, Definition, Version
from tests.conftest import clause_md, document, make_definition


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Definition, Version, Clause, ClauseText)}


def clause_id(slug: str, label: str, key: str) -> int:
    return ClauseText.objects.get(
        version__definition__slug=slug, version__label=label, clause__key=key
    ).clause_id


def rows_by_key(result) -> dict:
    return {row.key: row for row in result.rows}


# Parsing.


def test_the_first_level_one_heading_is_the_title():
    parsed = parse_document("# The *Garden* Charter\n\n## Scope\n\nText.\n")
    assert parsed.title == "The Garden Charter"
    assert [c.heading for c in parsed.clauses] == ["Scope"]


def test_text_between_the_title_and_the_first_heading_becomes_a_clause_of_its_own():
    parsed = parse_document("# Charter\n\nA few words first.\n\nAnd more.\n\n## Scope\n\nText.\n")
    intro = parsed.clauses[0]
    assert intro.heading == ""
    assert intro.body == "A few words first.\n\nAnd more."
    assert intro.line == 3
    assert intro.number == ""
    assert [c.heading for c in parsed.clauses[1:]] == ["Scope"]


def test_a_document_without_introductory_text_has_no_untitled_clause():
    parsed = parse_document("# Charter\n\n## Scope\n\nText.\n")
    assert [c.heading for c in parsed.clauses] == ["Scope"]


def test_each_clause_body_runs_to_the_next_heading():
    parsed = parse_document("# Charter\n\n## Scope\n\nFirst.\n\nSecond.\n\n## Terms\n\nWords.\n")
    assert [(c.heading, c.body) for c in parsed.clauses] == [
        ("Scope", "First.\n\nSecond."),
        ("Terms", "Words."),
    ]


def test_headings_are_numbered_by_depth():
    text = "# Charter\n\n## A\n\n### B\n\n### C\n\n## D\n\n### E\n\n## F\n"
    parsed = parse_document(text)
    assert [(c.heading, c.number) for c in parsed.clauses] == [
        ("A", "1"),
        ("B", "1.1"),
        ("C", "1.2"),
        ("D", "2"),
        ("E", "2.1"),
        ("F", "3"),
    ]


def test_numbering_follows_the_outline_when_heading_levels_are_skipped():
    parsed = parse_document("# Charter\n\n## A\n\n#### B\n\n## C\n\n### D\n")
    assert [(c.heading, c.level, c.number) for c in parsed.clauses] == [
        ("A", 2, "1"),
        ("B", 4, "1.1"),
        ("C", 2, "2"),
        ("D", 3, "2.1"),
    ]


def test_an_explicit_key_is_taken_from_the_heading_and_left_out_of_its_text():
    parsed = parse_document("# Charter\n\n## Scope of work {#scope}\n\nText.\n\n## Terms\n")
    assert [(c.heading, c.explicit_key) for c in parsed.clauses] == [
        ("Scope of work", "scope"),
        ("Terms", None),
    ]


def test_a_hash_line_inside_a_fenced_code_block_is_not_a_heading():
    text = "# Charter\n\n## Example\n\n```\n# not a title\n## not a clause\n```\n\n## Terms\n\nWords.\n"
    parsed = parse_document(text)
    assert [c.heading for c in parsed.clauses] == ["Example", "Terms"]
    assert "## not a clause" in parsed.clauses[0].body


def test_setext_headings_are_recognised():
    text = "Charter\n=======\n\nIntro.\n\nScope\n-----\n\nText.\n\n## Terms\n\nWords.\n"
    parsed = parse_document(text)
    assert parsed.title == "Charter"
    assert [(c.heading, c.line, c.body) for c in parsed.clauses] == [
        ("", 4, "Intro."),
        ("Scope", 6, "Text."),
        ("Terms", 11, "Words."),
    ]


def test_each_clause_knows_the_line_its_heading_is_on():
    parsed = parse_document("# Charter\n\n## Scope\n\nText.\n\n### Detail\n")
    assert [c.line for c in parsed.clauses] == [3, 7]


# Bad input.


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("  \n\n\t\n", "the file is empty"),
        ("Just a paragraph.\n\nAnd another.\n", "no headings"),
        ("# Charter\n\nSome text.\n", "no clause headings"),
    ],
)
def test_it_rejects_a_document_without_clauses(text, problem):
    with pytest.raises(ImportProblem, match=problem):
        parse_document(text)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (
            "# C\n\n## Scope {#scope}\n\nText.\n\n## Range {#scope}\n",
            7,
            "{#scope} is used twice (first on line 3)",
        ),
        ("# C\n\n## Scope {#Scope Key}\n", 3, "{#Scope Key} is not valid"),
        ("# C\n\n## Scope\n\n## Terms {#terms--}\n", 5, "{#terms--} is not valid"),
        ("# C\n\n## Scope {#latest}\n", 3, "reserved word"),
        ("# C\n\n## Scope\n\n##\n", 5, "heading is empty"),
        ("# C\n\n## Scope\n\nText.\n\n## {#terms}\n", 7, "heading is empty"),
    ],
)
def test_it_names_the_line_of_a_bad_heading(text, line, problem):
    with pytest.raises(ImportProblem) as caught:
        parse_document(text)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"line {line}: ")
    assert problem in str(caught.value)


@pytest.fixture
def charter(db):
    return make_definition()


GOOD = document("The Test Charter", [("scope", "Scope", "What this covers.")])


@pytest.mark.parametrize(
    ("slug", "label", "text", "problem"),
    [
        ("charter", "2.0", "", "the file is empty"),
        ("charter", "2.0", "   \n", "the file is empty"),
        ("charter", "2.0", "No headings here.\n", "no headings"),
        ("charter", "2.0", "# Only a title\n", "no clause headings"),
        (
            "charter",
            "2.0",
            "# T\n\n## A {#a}\n\n## B {#a}\n",
            "line 5: the clause key {#a} is used twice (first on line 3)",
        ),
        ("charter", "2.0", "# T\n\n## A {#A_1}\n", "line 3: the clause key {#A_1} is not valid"),
        ("charter", "2.0", "# T\n\n## A {#compare}\n", "line 3: the clause key {#compare} is not valid"),
        ("charter", "2.0", "# T\n\n## A\n\n###\n", "line 5: a clause heading is empty"),
        ("charter", "latest", GOOD, "version label “latest”"),
        ("charter", "Draft", GOOD, "reserved word"),
        ("charter", "1..2", GOOD, "version label “1..2”"),
        ("charter", "a b", GOOD, "version label “a b”"),
        ("charter", "1.0", GOOD, "version 1.0 of “charter” already exists"),
        ("newdef", "1.0", "## Scope\n\nText.\n", "a new definition needs a title"),
        ("new def", "1.0", GOOD, "definition slug"),
        ("admin", "1.0", GOOD, "reserved"),
    ],
)
def test_bad_input_stops_the_import_with_a_message_and_writes_nothing(charter, slug, label, text, problem):
    before = counts()
    with pytest.raises(ImportProblem) as caught:
        import_version(definition_slug=slug, label=label, text=text)
    assert problem in str(caught.value)
    assert counts() == before


def test_it_refuses_to_import_while_a_draft_exists_and_writes_nothing(db):
    make_definition(publish=False)
    before = counts()
    with pytest.raises(ImportProblem, match="version 1.0 of “charter” is an unpublished draft"):
        import_version(definition_slug="charter", label="2.0", text=GOOD)
    assert counts() == before


def test_a_dry_run_with_bad_input_also_stops(charter):
    with pytest.raises(ImportProblem, match="already exists"):
        import_version(definition_slug="charter", label="1.0", text=GOOD, dry_run=True)


def test_it_names_the_line_of_an_explicit_key_too_long_to_store(db):
    with pytest.raises(ImportProblem, match="line 3"):
        import_version(definition_slug="charter", label="1.0", text="# T\n\n## A {#" + "k" * 81 + "}\n")


def test_it_rejects_a_label_too_long_to_store(db):
    with pytest.raises(ImportProblem, match="version label"):
        import_version(definition_slug="charter", label="1" * 41, text=GOOD)


# Writing a version.


def test_a_first_import_creates_the_definition_its_clauses_and_a_draft(db):
    text = "# Garden Charter\n\nWelcome.\n\n## Scope {#scope}\n\nWhat this covers.\n\n### Detail\n\nMore.\n"
    result = import_version(definition_slug="garden", label="0.1", text=text)
    assert result.definition.title == "Garden Charter"
    assert result.version.status == Version.Status.DRAFT
    assert result.version.title == "Garden Charter"
    texts = list(result.version.clause_texts.select_related("clause").order_by("position"))
    assert [(t.position, t.clause.key, t.number, t.heading, t.level, t.body) for t in texts] == [
        (0, "introduction", "", "", 2, "Welcome."),
        (1, "scope", "1", "Scope", 2, "What this covers."),
        (2, "detail", "1.1", "Detail", 3, "More."),
    ]
    assert texts[1].body_html == "<p>What this covers.</p>\n"
    assert [row.status for row in result.rows] == ["new", "new", "new"]


def test_the_title_option_names_a_new_definition(db):
    result = import_version(definition_slug="garden", label="0.1", text="## Scope\n\nText.\n", title="Garden")
    assert result.definition.title == "Garden"


def test_publish_publishes_the_imported_version(db, steward):
    result = import_version(definition_slug="garden", label="0.1", text=GOOD, publish=True, by=steward)
    version = Version.objects.get(pk=result.version.pk)
    assert version.is_published
    assert version.published_at is not None
    assert version.published_by == steward


def test_without_publish_the_version_stays_a_draft(db):
    result = import_version(definition_slug="garden", label="0.1", text=GOOD)
    assert Version.objects.get(pk=result.version.pk).status == Version.Status.DRAFT


def test_sequence_numbers_increase_with_each_import(db):
    make_definition(
        versions={
            "0.9": [("scope", "Scope", "One.")],
            "0.10": [("scope", "Scope", "Two.")],
            "1.0-RC1": [("scope", "Scope", "Three.")],
        }
    )
    assert list(Version.objects.order_by("sequence").values_list("label", "sequence")) == [
        ("0.9", 1),
        ("0.10", 2),
        ("1.0-RC1", 3),
    ]


def test_a_dry_run_writes_nothing_but_returns_the_mapping(charter):
    before = counts()
    text = document("The Test Charter", [("scope", "Scope", "Changed."), ("fees", "Fees", "Pay.")])
    result = import_version(definition_slug="charter", label="2.0", text=text, dry_run=True)
    assert counts() == before
    assert result.dry_run
    assert result.version is None
    assert [(row.status, row.key) for row in result.rows] == [
        ("kept", "scope"),
        ("new", "fees"),
        ("removed", "terms"),
    ]


def test_a_dry_run_for_a_new_definition_writes_nothing(db):
    result = import_version(definition_slug="garden", label="0.1", text=GOOD, dry_run=True)
    assert counts() == {"Definition": 0, "Version": 0, "Clause": 0, "ClauseText": 0}
    assert result.definition is None
    assert [(row.status, row.key) for row in result.rows] == [("new", "scope")]


# Matching clauses to the previous version.


def test_a_clause_with_the_same_explicit_key_is_kept(charter):
    text = document("The Test Charter", [("scope", "Scope", "Covers more."), ("terms", "Terms", "Words.")])
    result = import_version(definition_slug="charter", label="2.0", text=text)
    row = rows_by_key(result)["scope"]
    assert (row.status, row.how, row.text_changed) == ("kept", "key", True)
    assert clause_id("charter", "2.0", "scope") == clause_id("charter", "1.0", "scope")


def test_an_explicit_key_keeps_a_clause_whose_heading_changed_as_renamed(charter):
    text = document("The Test Charter", [("scope", "Range", "Nothing alike."), ("terms", "Terms", "Words.")])
    result = import_version(definition_slug="charter", label="2.0", text=text)
    row = rows_by_key(result)["scope"]
    assert (row.status, row.how) == ("renamed", "key")
    assert clause_id("charter", "2.0", "scope") == clause_id("charter", "1.0", "scope")


def test_a_clause_with_an_identical_heading_is_kept(charter):
    text = "# The Test Charter\n\n## Terms\n\nEntirely different words.\n\n## scope\n\nAlso different.\n"
    result = import_version(definition_slug="charter", label="2.0", text=text)
    assert [(row.status, row.key, row.how) for row in result.rows] == [
        ("kept", "terms", "heading"),
        ("kept", "scope", "heading"),
    ]
    assert clause_id("charter", "2.0", "terms") == clause_id("charter", "1.0", "terms")
    assert clause_id("charter", "2.0", "scope") == clause_id("charter", "1.0", "scope")


def test_a_clause_with_a_new_heading_and_similar_text_is_renamed(db):
    make_definition(
        versions={"1.0": [("members", "Members", "Anyone who lives nearby may join the garden and vote.")]}
    )
    text = "# The Test Charter\n\n## Membership\n\nAnyone who lives nearby may join the garden and vote.\n"
    result = import_version(definition_slug="charter", label="2.0", text=text)
    (row,) = result.rows
    assert (row.status, row.key, row.how) == ("renamed", "members", "similarity")
    assert row.score >= 0.5
    assert row.previous.heading == "Members"
    assert clause_id("charter", "2.0", "members") == clause_id("charter", "1.0", "members")
    assert ClauseText.objects.get(version=result.version).heading == "Membership"


def test_a_clause_unlike_any_before_is_new_and_the_old_one_removed(charter):
    text = (
        "# The Test Charter\n\n## Scope\n\nWhat this covers.\n\n"
        "## Meetings\n\nMembers gather on the first Monday of each month.\n"
    )
    result = import_version(definition_slug="charter", label="2.0", text=text)
    assert [(row.status, row.key) for row in result.rows] == [
        ("kept", "scope"),
        ("new", "meetings"),
        ("removed", "terms"),
    ]
    assert Clause.objects.filter(definition=charter, key="meetings").exists()
    assert not result.version.clause_texts.filter(clause__key="terms").exists()
    # A removed clause keeps its identity and its published text.
    assert ClauseText.objects.filter(version__label="1.0", clause__key="terms").exists()


def test_dissimilar_text_is_not_matched_by_similarity(charter):
    parsed = parse_document("# T\n\n## Orchards\n\nApple trees line the northern fence.\n").clauses
    previous = list(charter.versions.get().clause_texts.select_related("clause"))
    rows = match_clauses(parsed, previous, {"scope", "terms"})
    assert sorted((row.status, row.key) for row in rows) == [
        ("new", "orchards"),
        ("removed", "scope"),
        ("removed", "terms"),
    ]


def test_an_explicit_key_brings_back_a_removed_clause_with_its_identity(db):
    definition = make_definition(
        versions={
            "1.0": [("scope", "Scope", "What this covers."), ("fees", "Fees", "Members pay yearly.")],
            "2.0": [("scope", "Scope", "What this covers.")],
        }
    )
    original = clause_id("charter", "1.0", "fees")
    text = document("The Test Charter", [("scope", "Scope", "What this covers."), ("fees", "Dues", "Back.")])
    result = import_version(definition_slug="charter", label="3.0", text=text)
    assert rows_by_key(result)["fees"].status == "new"
    assert clause_id("charter", "3.0", "fees") == original
    assert definition.clauses.filter(key="fees").count() == 1


def test_a_new_clause_never_takes_the_key_of_an_earlier_clause(db):
    make_definition(
        versions={
            "1.0": [("scope", "Scope", "What this covers."), ("fees", "Fees", "Members pay yearly.")],
            "2.0": [("scope", "Scope", "What this covers.")],
        }
    )
    text = "# The Test Charter\n\n## Scope {#scope}\n\nWhat this covers.\n\n## Fees\n\nNothing like before at all.\n"
    result = import_version(definition_slug="charter", label="3.0", text=text)
    assert [(row.status, row.key) for row in result.rows] == [("kept", "scope"), ("new", "fees-2")]


def test_clauses_with_the_same_heading_get_distinct_keys(db):
    result = import_version(
        definition_slug="garden", label="0.1", text="# G\n\n## Notes\n\nA.\n\n## Notes\n\nB.\n"
    )
    assert [row.key for row in result.rows] == ["notes", "notes-2"]


def test_a_heading_that_slugs_to_a_reserved_word_gets_another_key(db):
    result = import_version(definition_slug="garden", label="0.1", text="# G\n\n## History\n\nOld days.\n")
    (row,) = result.rows
    assert row.key != "history"
    assert row.key.startswith("history-")


def test_an_explicit_key_wins_over_a_heading_match(charter):
    text = "# The Test Charter\n\n## Scope\n\nWhat this covers.\n\n" + clause_md(
        "scope", "Terms", "Words we use."
    )
    result = import_version(definition_slug="charter", label="2.0", text=text)
    scope_row = next(row for row in result.rows if row.parsed and row.parsed.explicit_key == "scope")
    assert (scope_row.key, scope_row.how) == ("scope", "key")
    keys = [row.key for row in result.rows if row.parsed]
    assert len(keys) == len(set(keys))


def test_headings_inside_quotes_and_lists_do_not_start_clauses():
    parsed = parse_document("# T\n\n## A\n\n> ## Quoted\n> text\n\n- ## Listed\n\n## B\n")
    assert [c.heading for c in parsed.clauses] == ["A", "B"]
    assert "> ## Quoted" in parsed.clauses[0].body


def test_it_rejects_a_definition_slug_or_title_too_long_to_store(db):
    with pytest.raises(ImportProblem, match="longer than 50"):
        import_version(definition_slug="s" * 51, label="1.0", text=GOOD)
    with pytest.raises(ImportProblem, match="longer than 200"):
        import_version(definition_slug="charter", label="1.0", text=GOOD, title="T" * 201)
