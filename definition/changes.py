"""What changed between two versions' clause texts: rows a compare page or a history can show."""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

from docket.diff import same_text, word_diff

from .models import Clause, ClauseText, Named

DIFF_CACHE_SECONDS = 7 * 24 * 3600
# Bumped when the shape of a cached diff changes; `manage.py bench` swaps it to time uncached diffs.
DIFF_CACHE_PREFIX = "clause-diff:1:"


@dataclass(slots=True)
class TextRow(Named):
    """What a comparison reads of a clause text, without building model instances: the compare
    page reads two versions' texts at once."""

    clause_id: int
    key: str
    number: str
    heading: str
    body: str
    body_html: str
    body_words: str

    @classmethod
    def of_versions(cls, old, new) -> tuple[list["TextRow"], list["TextRow"]]:
        """Both versions' texts in order, read in one query. A body the other version has word
        for word (the same digest) is not read at all (left empty on both sides, so they still
        compare equal): it is neither shown nor diffed, and the three body columns are most of
        what a compare page would read (500 KB for 100 clauses). Written out: building it
        through the ORM took as long as the database took to run it."""
        by_version = {old.pk: [], new.pk: []}
        q = connection.ops.quote_name
        same = "o.body_digest = t.body_digest"  # NULL, so false, where the other version lacks it
        sql = (
            f"SELECT t.version_id, t.clause_id, c.{q('key')}, t.number, t.heading, "
            f"CASE WHEN {same} THEN '' ELSE t.body END, CASE WHEN {same} THEN '' ELSE t.body_html END, "
            f"CASE WHEN {same} THEN '' ELSE t.body_words END "
            f"FROM {q(ClauseText._meta.db_table)} t "
            f"JOIN {q(Clause._meta.db_table)} c ON c.id = t.clause_id "
            f"LEFT JOIN {q(ClauseText._meta.db_table)} o ON o.clause_id = t.clause_id "
            "AND o.version_id IN (%s, %s) AND o.version_id <> t.version_id "
            "WHERE t.version_id IN (%s, %s) ORDER BY t.position"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [old.pk, new.pk] * 2)
            for version_id, *values in cursor.fetchall():
                by_version[version_id].append(cls(*values))
        return by_version[old.pk], by_version[new.pk]


@dataclass
class ClauseChange:
    key: str
    status: str  # added, removed, renamed, changed, unchanged
    old: ClauseText | None
    new: ClauseText | None
    heading_diff: str = ""
    body_diff: str = ""
    formatting_only: bool = False  # the words are the same; only the Markdown markup changed
    body_changed: bool = False

    @property
    def text(self) -> ClauseText:
        return self.new or self.old

    @property
    def label(self) -> str:
        return self.text.label

    @property
    def renumbered(self) -> bool:
        return bool(self.old and self.new and self.old.number != self.new.number)


def is_changed(old: ClauseText, new: ClauseText) -> bool:
    return not (same_text(old.heading, new.heading) and same_text(old.body, new.body))


def change_between(old: ClauseText | TextRow | None, new: ClauseText | TextRow | None) -> ClauseChange:
    change = _classify(old, new)
    _add_diffs([change])
    return change


def _classify(old, new) -> ClauseChange:
    key = (new or old).key
    if old is None:
        return ClauseChange(key, "added", None, new)
    if new is None:
        return ClauseChange(key, "removed", old, None)
    renamed = not same_text(old.heading, new.heading)
    body_changed = not same_text(old.body, new.body)
    if not renamed and not body_changed:
        return ClauseChange(key, "unchanged", old, new)
    return ClauseChange(key, "renamed" if renamed else "changed", old, new, body_changed=body_changed)


def _add_diffs(changes: list[ClauseChange]) -> None:
    """The word diffs of the changed rows, cached by the texts' content: a pair's diff is computed
    once, not on every view of a compare or history page. One cache read and one write for all
    the rows (with Redis, a round trip per row was a fifth of the compare page)."""
    changed = [c for c in changes if c.status in ("renamed", "changed")]
    if not changed:
        return
    keys = {id(c): DIFF_CACHE_PREFIX + _digest(c.old, c.new) for c in changed}
    found = cache.get_many(list(keys.values()))
    made = {}
    for change in changed:
        key = keys[id(change)]
        if key not in found:
            found[key] = made[key] = _diffs(
                change.old, change.new, change.status == "renamed", change.body_changed
            )
        change.heading_diff, change.body_diff, change.formatting_only = found[key]
    if made:
        cache.set_many(made, timeout=DIFF_CACHE_SECONDS)


def _digest(old, new) -> str:
    return hashlib.sha256(
        "\x00".join([old.heading, old.body_html, new.heading, new.body_html]).encode()
    ).hexdigest()


def _diffs(old, new, renamed: bool, body_changed: bool) -> tuple[str, str, bool]:
    heading_diff = word_diff(old.heading, new.heading) if renamed else ""
    body_diff, formatting_only = "", False
    if body_changed:
        old_words, new_words = old.body_words, new.body_words
        if old_words == new_words:
            formatting_only = True
        else:
            body_diff = word_diff(old_words, new_words)
    return heading_diff, body_diff, formatting_only


def compare_texts(old_texts: list[ClauseText], new_texts: list[ClauseText]) -> list[ClauseChange]:
    """Every clause of either version, in the new version's order; a removed clause stands after
    the clause that preceded it in the old version."""
    old_by_clause = {text.clause_id: text for text in old_texts}
    new_ids = {text.clause_id for text in new_texts}
    removed_after: dict[int | None, list[ClauseText]] = {}
    preceding = None
    for text in old_texts:
        if text.clause_id in new_ids:
            preceding = text.clause_id
        else:
            removed_after.setdefault(preceding, []).append(text)

    rows = [_classify(old, None) for old in removed_after.get(None, [])]
    for text in new_texts:
        rows.append(_classify(old_by_clause.get(text.clause_id), text))
        rows.extend(_classify(old, None) for old in removed_after.get(text.clause_id, []))
    _add_diffs(rows)
    return rows
