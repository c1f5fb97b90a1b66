"""What changed between two versions' clause texts: rows a compare page or a history can show."""

from dataclasses import dataclass

from docket.diff import word_diff

from .models import ClauseText


@dataclass
class ClauseChange:
    key: str
    status: str  # added, removed, renamed, changed, unchanged
    old: ClauseText | None
    new: ClauseText | None
    heading_diff: str = ""
    body_diff: str = ""

    @property
    def text(self) -> ClauseText:
        return self.new or self.old

    @property
    def renumbered(self) -> bool:
        return bool(self.old and self.new and self.old.number != self.new.number)


def change_between(old: ClauseText | None, new: ClauseText | None) -> ClauseChange:
    text = new or old
    key = text.clause.key
    if old is None:
        return ClauseChange(key, "added", None, new, body_diff=word_diff("", new.body))
    if new is None:
        return ClauseChange(key, "removed", old, None, body_diff=word_diff(old.body, ""))
    renamed = old.heading != new.heading
    body_changed = old.body != new.body
    if not renamed and not body_changed:
        return ClauseChange(key, "unchanged", old, new)
    return ClauseChange(
        key,
        "renamed" if renamed else "changed",
        old,
        new,
        heading_diff=word_diff(old.heading, new.heading) if renamed else "",
        body_diff=word_diff(old.body, new.body) if body_changed else "",
    )


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

    rows = [change_between(old, None) for old in removed_after.get(None, [])]
    for text in new_texts:
        rows.append(change_between(old_by_clause.get(text.clause_id), text))
        rows.extend(change_between(old, None) for old in removed_after.get(text.clause_id, []))
    return rows
