"""Import a Markdown draft as a new version of a definition (DESIGN.md section 4).

`parse_document` turns the text into clauses, `match_clauses` says which clause of the previous
version each one continues, and `import_version` writes it all in one transaction (or nothing,
for a dry run or on any problem).
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from docket import markdown
from docket.diff import similarity

from .models import (
    RESERVED_WORDS,
    Clause,
    ClauseText,
    Definition,
    Version,
    validate_clause_key,
    validate_definition_slug,
    validate_label,
)

EXPLICIT_KEY_RE = re.compile(r"\s*\{#([^}]*)\}\s*$")
# Below this score a pair of clauses is not taken as one clause renamed or rewritten.
SIMILARITY_THRESHOLD = 0.5
MAX_KEY_LENGTH = 80
MAX_HEADING_LENGTH = 300
MAX_TITLE_LENGTH = 200
MAX_SLUG_LENGTH = 50


class ImportProblem(Exception):
    """Bad input: the message names the problem and, where there is one, its line."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self):
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ParsedClause:
    heading: str
    level: int
    body: str
    line: int
    explicit_key: str | None = None
    number: str = ""


@dataclass
class ParsedDocument:
    title: str
    clauses: list[ParsedClause]


@dataclass
class MappingRow:
    status: str  # kept, renamed, new, removed
    key: str
    how: str = ""  # key, heading, similarity (for kept and renamed)
    score: float | None = None
    parsed: ParsedClause | None = None
    previous: ClauseText | None = None

    @property
    def text_changed(self) -> bool:
        if self.parsed is None or self.previous is None:
            return False
        return self.parsed.body.strip() != self.previous.body.strip()

    def describe(self) -> str:
        new_heading = (self.parsed.heading or "introduction") if self.parsed else ""
        old_heading = (self.previous.heading or "introduction") if self.previous else ""
        if self.status == "new":
            return f"new       {self.key}  “{new_heading}” (line {self.parsed.line})"
        if self.status == "removed":
            return f"removed   {self.key}  “{old_heading}”"
        how = self.how if self.score is None else f"{self.how} {self.score:.2f}"
        changed = ", text changed" if self.text_changed else ""
        if self.status == "renamed":
            return f"renamed   {self.key}  “{old_heading}” → “{new_heading}” (matched by {how}{changed})"
        return f"kept      {self.key}  “{new_heading}” (matched by {how}{changed})"


@dataclass
class ImportResult:
    definition: Definition | None
    version: Version | None
    document: ParsedDocument
    rows: list[MappingRow] = field(default_factory=list)
    dry_run: bool = False


def _heading_text(raw: str, line: int) -> tuple[str, str | None]:
    explicit_key = None
    match = EXPLICIT_KEY_RE.search(raw)
    if match:
        explicit_key = match.group(1).strip()
        raw = raw[: match.start()]
        try:
            validate_clause_key(explicit_key)
        except ValidationError as exc:
            raise ImportProblem(
                f"the clause key {{#{explicit_key}}} is not valid: {exc.messages[0]}", line
            ) from None
    text = markdown.render_inline_text(raw)
    return text, explicit_key


def parse_document(text: str) -> ParsedDocument:
    text = (text or "").removeprefix("\ufeff")  # a byte-order mark is not part of the first line
    if not text.strip():
        raise ImportProblem("the file is empty.")
    lines = text.splitlines()
    tokens = markdown.parse(text)
    headings = []  # (start line index, end line index, level, raw inline text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0:  # not inside a quote or list
            start, end = token.map
            headings.append((start, end, int(token.tag[1]), tokens[index + 1].content))
    if not headings:
        raise ImportProblem(
            "the file has no headings: start with a “# Title” and begin each clause with a “## Heading”."
        )

    title = ""
    title_span = None
    for start, end, level, raw in headings:
        if level == 1:
            title = markdown.render_inline_text(raw)
            title_span = (start, end)
            if len(title) > MAX_TITLE_LENGTH:
                raise ImportProblem(f"the title is longer than {MAX_TITLE_LENGTH} characters.", start + 1)
            break
    clause_headings = [h for h in headings if (h[0], h[1]) != title_span]
    if not clause_headings:
        raise ImportProblem("the file has a title but no clause headings (“## Heading”).")

    def body_between(first: int, last: int) -> str:
        chunk = [
            line
            for number, line in enumerate(lines[first:last], start=first)
            if not (title_span and title_span[0] <= number < title_span[1])
        ]
        return "\n".join(chunk).strip("\n").rstrip()

    clauses: list[ParsedClause] = []
    intro = body_between(0, clause_headings[0][0])
    if intro.strip():
        first_line = next(
            i
            for i, line in enumerate(lines)
            if line.strip() and not (title_span and title_span[0] <= i < title_span[1])
        )
        clauses.append(ParsedClause(heading="", level=2, body=intro, line=first_line + 1))

    seen_keys: dict[str, int] = {}
    for position, (start, end, level, raw) in enumerate(clause_headings):
        line = start + 1
        heading, explicit_key = _heading_text(raw, line)
        if not heading:
            raise ImportProblem("a clause heading is empty.", line)
        if len(heading) > MAX_HEADING_LENGTH:
            raise ImportProblem(f"the heading is longer than {MAX_HEADING_LENGTH} characters.", line)
        if explicit_key:
            if explicit_key in seen_keys:
                raise ImportProblem(
                    f"the clause key {{#{explicit_key}}} is used twice (first on line {seen_keys[explicit_key]}).",
                    line,
                )
            seen_keys[explicit_key] = line
        following = clause_headings[position + 1][0] if position + 1 < len(clause_headings) else len(lines)
        clauses.append(
            ParsedClause(
                heading=heading,
                level=level,
                body=body_between(end, following),
                line=line,
                explicit_key=explicit_key,
            )
        )
    number_clauses(clauses)
    return ParsedDocument(title=title, clauses=clauses)


def number_clauses(clauses) -> None:
    """Give each heading a number by its depth among the headings around it: 1, 2, 2.1, 2.2, 3."""
    stack: list[int] = []  # heading levels of the open sections
    counters: list[int] = []
    for clause in clauses:
        if not clause.heading:
            continue  # untitled introductory text carries no number
        while stack and stack[-1] >= clause.level:
            stack.pop()
        stack.append(clause.level)
        depth = len(stack)
        counters = counters[:depth] + [0] * (depth - len(counters))
        counters[depth - 1] += 1
        clause.number = ".".join(str(n) for n in counters[:depth])


def _normalise(heading: str) -> str:
    return " ".join(heading.lower().split())


def match_clauses(
    parsed: list[ParsedClause], previous: list[ClauseText], known_keys: set[str]
) -> list[MappingRow]:
    """Pair each parsed clause with the clause it continues: by key, by heading, by likeness."""
    rows: dict[int, MappingRow] = {}
    unmatched_prev = {text.clause.key: text for text in previous}

    for index, clause in enumerate(parsed):
        if clause.explicit_key and clause.explicit_key in unmatched_prev:
            text = unmatched_prev.pop(clause.explicit_key)
            status = "kept" if _normalise(text.heading) == _normalise(clause.heading) else "renamed"
            rows[index] = MappingRow(status, text.clause.key, "key", parsed=clause, previous=text)
        elif clause.explicit_key:
            # A key of its own: a new clause, or one that comes back after being removed.
            rows[index] = MappingRow("new", clause.explicit_key, parsed=clause)

    by_heading: dict[str, list[ClauseText]] = {}
    for text in unmatched_prev.values():
        by_heading.setdefault(_normalise(text.heading), []).append(text)
    for index, clause in enumerate(parsed):
        if index in rows:
            continue
        candidates = by_heading.get(_normalise(clause.heading))
        if candidates:
            text = candidates.pop(0)
            del unmatched_prev[text.clause.key]
            rows[index] = MappingRow("kept", text.clause.key, "heading", parsed=clause, previous=text)

    scored = []
    for index, clause in enumerate(parsed):
        if index in rows:
            continue
        for text in unmatched_prev.values():
            score = 0.4 * similarity(clause.heading, text.heading) + 0.6 * similarity(clause.body, text.body)
            if score >= SIMILARITY_THRESHOLD:
                scored.append((score, index, text.clause.key))
    for score, index, key in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if index in rows or key not in unmatched_prev:
            continue
        text = unmatched_prev.pop(key)
        status = "kept" if _normalise(text.heading) == _normalise(parsed[index].heading) else "renamed"
        rows[index] = MappingRow(
            status, key, "similarity", round(score, 2), parsed=parsed[index], previous=text
        )

    taken = set(known_keys) | {row.key for row in rows.values()}
    for index, clause in enumerate(parsed):
        if index not in rows:
            key = fresh_key(clause.heading or "introduction", taken)
            taken.add(key)
            rows[index] = MappingRow("new", key, parsed=clause)

    result = [rows[index] for index in range(len(parsed))]
    result += [MappingRow("removed", key, previous=text) for key, text in unmatched_prev.items()]
    return result


def fresh_key(heading: str, taken: set[str]) -> str:
    base = slugify(heading)[:MAX_KEY_LENGTH].strip("-") or "clause"
    key, suffix = base, 2
    while key in taken or key in RESERVED_WORDS:
        tail = f"-{suffix}"
        key = base[: MAX_KEY_LENGTH - len(tail)].strip("-") + tail
        suffix += 1
    return key


def import_version(
    *,
    definition_slug: str,
    label: str,
    text: str,
    title: str | None = None,
    publish: bool = False,
    by=None,
    dry_run: bool = False,
) -> ImportResult:
    """Parse, match and (unless dry_run) write a new version. Raises ImportProblem on bad input."""
    try:
        validate_label(label)
    except ValidationError as exc:
        raise ImportProblem(f"version label “{label}”: {exc.messages[0]}") from None
    if title and len(title) > MAX_TITLE_LENGTH:
        raise ImportProblem(f"the title is longer than {MAX_TITLE_LENGTH} characters.")
    if len(definition_slug or "") > MAX_SLUG_LENGTH:
        raise ImportProblem(
            f"definition slug “{definition_slug}” is longer than {MAX_SLUG_LENGTH} characters."
        )
    if not re.match(r"^[-a-zA-Z0-9_]+$", definition_slug or ""):
        raise ImportProblem(
            f"definition slug “{definition_slug}” may use only letters, digits, hyphens and underscores."
        )
    try:
        validate_definition_slug(definition_slug)
    except ValidationError as exc:
        raise ImportProblem(f"definition slug “{definition_slug}”: {exc.messages[0]}") from None

    document = parse_document(text)

    definition = Definition.objects.filter(slug=definition_slug).first()
    previous: list[ClauseText] = []
    known_keys: set[str] = set()
    if definition is None:
        if not (title or document.title):
            raise ImportProblem(
                "a new definition needs a title: give --title or start the file with “# Title”."
            )
    else:
        if definition.versions.filter(label=label).exists():
            raise ImportProblem(f"version {label} of “{definition.slug}” already exists.")
        draft = definition.versions.drafts().first()
        if draft is not None:
            raise ImportProblem(
                f"version {draft.label} of “{definition.slug}” is an unpublished draft; publish or discard it first."
            )
        latest = definition.versions.order_by("-sequence").first()
        if latest is not None:
            previous = list(latest.clause_texts.select_related("clause").order_by("position"))
        known_keys = set(definition.clauses.values_list("key", flat=True))

    rows = match_clauses(document.clauses, previous, known_keys)
    if dry_run:
        return ImportResult(definition, None, document, rows, dry_run=True)

    with transaction.atomic():
        if definition is None:
            definition = Definition.objects.create(slug=definition_slug, title=title or document.title)
        elif title and title != definition.title:
            definition.title = title
            definition.save(update_fields=["title"])
        # Lock the definition so two imports cannot take the same sequence number.
        Definition.objects.select_for_update().filter(pk=definition.pk).first()
        last = definition.versions.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        version = Version.objects.create(
            definition=definition, label=label, sequence=last + 1, title=document.title or definition.title
        )
        clauses = {clause.key: clause for clause in definition.clauses.all()}
        for position, row in enumerate(r for r in rows if r.parsed is not None):
            clause = clauses.get(row.key) or Clause.objects.create(definition=definition, key=row.key)
            ClauseText.objects.create(
                version=version,
                clause=clause,
                position=position,
                number=row.parsed.number,
                heading=row.parsed.heading,
                level=row.parsed.level,
                body=row.parsed.body,
            )
        if publish:
            version.publish(by=by)
    return ImportResult(definition, version, document, rows)
