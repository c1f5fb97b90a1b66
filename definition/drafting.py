"""What stewards do to a draft: start, edit, add, remove, move, import, publish, discard.

Each function is one transaction and records a StewardAction, so every change says who made it
and when. Problems a steward can fix raise DraftError with a message (and the form field it
concerns); a stale edit raises EditConflict carrying the text that is now saved.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .importer import (
    ImportProblem,
    MappingRow,
    ParsedDocument,
    fresh_key,
    match_clauses,
    number_clauses,
    parse_document,
)
from .models import (
    Clause,
    ClauseText,
    Definition,
    DraftImport,
    StewardAction,
    Version,
    validate_clause_key,
    validate_label,
)

Kind = StewardAction.Kind


class DraftError(Exception):
    def __init__(self, message: str, field: str | None = None):
        self.message = message
        self.field = field
        super().__init__(message)


class EditConflict(Exception):
    def __init__(self, current: ClauseText):
        self.current = current
        super().__init__("The clause was changed by someone else since you opened it.")


def record(*, definition, actor, kind, version_label="", clause_key="", detail="") -> StewardAction:
    return StewardAction.objects.create(
        definition=definition,
        actor=actor,
        kind=kind,
        version_label=version_label,
        clause_key=clause_key,
        detail=detail[:500],
    )


def latest_published(definition: Definition) -> Version | None:
    return definition.versions.published().order_by("-sequence").first()


def _texts(draft: Version) -> list[ClauseText]:
    return list(draft.clause_texts.select_related("clause").order_by("position"))


def _renumber(draft: Version) -> None:
    """Numbers follow the outline; positions run 0, 1, 2... with no gaps."""
    texts = _texts(draft)
    before = {t.pk: (t.number, t.position) for t in texts}
    number_clauses(texts)
    for position, text in enumerate(texts):
        text.position = position
        if before[text.pk] != (text.number, position):
            ClauseText.objects.filter(pk=text.pk).update(number=text.number, position=position)


def _delete_orphan_clauses(clause_ids) -> None:
    """Clauses created for a draft and in no version any more free their keys."""
    Clause.objects.filter(pk__in=list(clause_ids), texts__isnull=True).delete()


def _check_key(definition: Definition, key: str, *, allow_clause: Clause | None = None) -> None:
    try:
        validate_clause_key(key)
    except ValidationError as exc:
        raise DraftError(exc.messages[0], "key") from None
    existing = definition.clauses.filter(key=key).first()
    if existing is not None and existing != allow_clause:
        raise DraftError(f"The key “{key}” is already used by another clause of this definition.", "key")


def start_draft(*, definition: Definition, label: str, by) -> Version:
    try:
        validate_label(label)
    except ValidationError as exc:
        raise DraftError(exc.messages[0], "label") from None
    try:
        with transaction.atomic():
            # Serialise drafting on this definition: two stewards starting at once make one draft.
            Definition.objects.select_for_update().get(pk=definition.pk)
            if definition.versions.drafts().exists():
                raise DraftError("This definition already has a draft; edit or discard it first.")
            if definition.versions.filter(label=label).exists():
                raise DraftError(f"Version {label} already exists.", "label")
            base = latest_published(definition)
            last = definition.versions.order_by("-sequence").values_list("sequence", flat=True).first() or 0
            draft = Version.objects.create(
                definition=definition,
                label=label,
                sequence=last + 1,
                title=base.title if base else definition.title,
            )
            if base is not None:
                ClauseText.objects.bulk_create(
                    ClauseText(
                        version=draft,
                        clause_id=text.clause_id,
                        position=text.position,
                        number=text.number,
                        heading=text.heading,
                        level=text.level,
                        body=text.body,
                        body_html=text.body_html,  # same source, so the same sanitised HTML
                        body_words=text.body_words,
                        body_digest=text.body_digest,
                    )
                    for text in base.clause_texts.all()
                )
            record(
                definition=definition,
                actor=by,
                kind=Kind.START_DRAFT,
                version_label=label,
                detail=f"from {base.label}" if base else "empty",
            )
            return draft
    except IntegrityError:
        raise DraftError("Another steward started a draft at the same moment; open it instead.") from None


def discard_draft(*, draft: Version, by) -> None:
    with transaction.atomic():
        draft = Version.objects.select_for_update().get(pk=draft.pk)
        if draft.is_published:
            raise DraftError(f"Version {draft.label} is published and cannot be discarded.")
        clause_ids = set(draft.clause_texts.values_list("clause_id", flat=True))
        label, definition = draft.label, draft.definition
        draft.delete()
        _delete_orphan_clauses(clause_ids)
        record(definition=definition, actor=by, kind=Kind.DISCARD_DRAFT, version_label=label)


def _locked_draft(draft: Version) -> Version:
    locked = Version.objects.select_for_update().get(pk=draft.pk)
    if locked.is_published:
        raise DraftError(f"Version {locked.label} has been published; its text can no longer change.")
    return locked


def edit_clause(
    *, draft: Version, key: str, expected_revision: int, heading: str, level: int, body: str, new_key: str, by
) -> ClauseText:
    with transaction.atomic():
        _locked_draft(draft)
        current = (
            ClauseText.objects.select_for_update()
            .select_related("clause")
            .get(version=draft, clause__key=key)
        )
        if current.revision != expected_revision:
            raise EditConflict(current)
        clause = current.clause
        if new_key != clause.key:
            if clause.texts.filter(version__status=Version.Status.PUBLISHED).exists():
                raise DraftError(
                    f"“{clause.key}” has been published; its key is part of permanent addresses and cannot change.",
                    "key",
                )
            _check_key(draft.definition, new_key, allow_clause=clause)
            clause.key = new_key
            clause.save()
        level_changed = current.level != level
        current.heading, current.level, current.body = heading, level, body
        current.revision += 1
        current.save()
        if level_changed:
            _renumber(draft)
        record(
            definition=draft.definition,
            actor=by,
            kind=Kind.EDIT_CLAUSE,
            version_label=draft.label,
            clause_key=clause.key,
            detail=f"key was {key}" if new_key != key else "",
        )
        return current


def add_clause(
    *, draft: Version, key: str, heading: str, level: int, body: str, position: int, by
) -> ClauseText:
    """Insert a clause at `position` (0 = first). A key of a clause removed earlier brings it back."""
    with transaction.atomic():
        _locked_draft(draft)
        try:
            validate_clause_key(key)
        except ValidationError as exc:
            raise DraftError(exc.messages[0], "key") from None
        if draft.clause_texts.filter(clause__key=key).exists():
            raise DraftError(f"This draft already has a clause with the key “{key}”.", "key")
        clause, _ = Clause.objects.get_or_create(definition=draft.definition, key=key)
        texts = _texts(draft)
        position = max(0, min(position, len(texts)))
        for text in reversed(texts[position:]):
            ClauseText.objects.filter(pk=text.pk).update(position=text.position + 1)
        added = ClauseText.objects.create(
            version=draft, clause=clause, position=position, heading=heading, level=level, body=body
        )
        _renumber(draft)
        record(
            definition=draft.definition,
            actor=by,
            kind=Kind.ADD_CLAUSE,
            version_label=draft.label,
            clause_key=key,
        )
        return added


def remove_clause(*, draft: Version, key: str, by) -> None:
    with transaction.atomic():
        _locked_draft(draft)
        text = ClauseText.objects.select_related("clause").get(version=draft, clause__key=key)
        clause_id = text.clause_id
        text.delete()
        _delete_orphan_clauses([clause_id])
        _renumber(draft)
        record(
            definition=draft.definition,
            actor=by,
            kind=Kind.REMOVE_CLAUSE,
            version_label=draft.label,
            clause_key=key,
        )


def move_clause(*, draft: Version, key: str, to_position: int, by) -> None:
    """Move a clause so that it stands at `to_position` (0 = first); the others close up."""
    with transaction.atomic():
        _locked_draft(draft)
        texts = _texts(draft)
        moving = next((t for t in texts if t.clause.key == key), None)
        if moving is None:
            raise DraftError(f"This draft has no clause “{key}”.")
        old_position = texts.index(moving)
        texts.remove(moving)
        to_position = max(0, min(to_position, len(texts)))
        texts.insert(to_position, moving)
        for position, text in enumerate(texts):
            if text.position != position:
                ClauseText.objects.filter(pk=text.pk).update(position=position)
        _renumber(draft)
        record(
            definition=draft.definition,
            actor=by,
            kind=Kind.MOVE_CLAUSE,
            version_label=draft.label,
            clause_key=key,
            detail=f"from position {old_position + 1} to {to_position + 1}",
        )


def renumber(*, draft: Version, by) -> None:
    with transaction.atomic():
        _locked_draft(draft)
        _renumber(draft)
        record(definition=draft.definition, actor=by, kind=Kind.RENUMBER, version_label=draft.label)


def propose_import(*, draft: Version, text: str) -> tuple[ParsedDocument, list[MappingRow]]:
    """Parse an upload and pair its clauses with the last published version's. Writes nothing."""
    document = parse_document(text)
    base = latest_published(draft.definition)
    previous = list(base.clause_texts.select_related("clause").order_by("position")) if base else []
    known = set(draft.definition.clauses.values_list("key", flat=True))
    return document, match_clauses(document.clauses, previous, known)


def accept_import(*, draft_import: DraftImport, choices: list[str], by) -> None:
    """Replace the draft's clauses with the upload's. `choices[i]` is the key of the previous
    version's clause that parsed clause i continues, or "" for a new clause."""
    draft = draft_import.version
    with transaction.atomic():
        _locked_draft(draft)
        if draft_import.accepted_at is not None:
            raise DraftError("This import has already been applied.")
        try:
            document, rows = propose_import(draft=draft, text=draft_import.text)
        except ImportProblem as problem:
            raise DraftError(str(problem)) from None
        parsed_rows = [row for row in rows if row.parsed is not None]
        if len(choices) != len(parsed_rows):
            raise DraftError("The mapping does not match the uploaded file; upload it again.")
        base = latest_published(draft.definition)
        previous_keys = set(base.clause_texts.values_list("clause__key", flat=True)) if base else set()
        chosen = [c for c in choices if c]
        for choice in chosen:
            if choice not in previous_keys:
                raise DraftError(f"“{choice}” is not a clause of version {base.label if base else '(none)'}.")
        duplicates = sorted({c for c in chosen if chosen.count(c) > 1})
        if duplicates:
            raise DraftError(
                f"Each earlier clause can continue in one clause only: {', '.join(duplicates)} is chosen twice."
            )

        taken = set(draft.definition.clauses.values_list("key", flat=True)) | set(chosen)
        keys = []
        for row, choice in zip(parsed_rows, choices, strict=True):
            if choice:
                keys.append(choice)
            elif row.status == "new" and row.key not in set(chosen) and row.key not in keys:
                keys.append(row.key)  # the proposed fresh (or explicit) key
            else:
                key = fresh_key(row.parsed.heading or "introduction", taken | set(keys))
                keys.append(key)
            taken.add(keys[-1])

        old_clause_ids = set(draft.clause_texts.values_list("clause_id", flat=True))
        draft.clause_texts.all().delete()
        for position, (row, key) in enumerate(zip(parsed_rows, keys, strict=True)):
            clause, _ = Clause.objects.get_or_create(definition=draft.definition, key=key)
            ClauseText.objects.create(
                version=draft,
                clause=clause,
                position=position,
                number=row.parsed.number,
                heading=row.parsed.heading,
                level=row.parsed.level,
                body=row.parsed.body,
            )
        _delete_orphan_clauses(old_clause_ids)
        if document.title:
            Version.objects.filter(pk=draft.pk).update(title=document.title)
        draft_import.accepted_at = timezone.now()
        draft_import.save(update_fields=["accepted_at"])
        record(
            definition=draft.definition,
            actor=by,
            kind=Kind.IMPORT,
            version_label=draft.label,
            detail=f"{draft_import.filename}: {len(parsed_rows)} clauses",
        )


def publish_draft(
    *, draft: Version, by, release_notes: str, comments_close_at: datetime | None, close_previous: bool
) -> Version:
    """Freeze the draft and make it public. Two stewards publishing at once publish it once."""
    with transaction.atomic():
        version = Version.objects.select_for_update().get(pk=draft.pk)
        if version.is_published:
            raise DraftError(f"Version {version.label} has already been published.")
        if not version.clause_texts.exists():
            raise DraftError("The draft has no clauses; add or import some before publishing.")
        previous = latest_published(version.definition)
        version.release_notes = release_notes
        version.comments_close_at = comments_close_at
        version.save(update_fields=["release_notes", "release_notes_html", "comments_close_at"])
        version.publish(by=by)
        record(definition=version.definition, actor=by, kind=Kind.PUBLISH, version_label=version.label)
        if close_previous and previous is not None and previous.comments_open:
            previous.comments_close_at = version.published_at
            previous.save(update_fields=["comments_close_at"])
            record(
                definition=version.definition,
                actor=by,
                kind=Kind.CLOSE_COMMENTS,
                version_label=previous.label,
                detail=f"on publishing {version.label}",
            )
        return version


def set_comment_period(*, version: Version, close_at: datetime | None, by) -> None:
    """Open comments (close_at None, or in the future) or close them (close_at now or past)."""
    if not version.is_published:
        raise DraftError("Only a published version takes comments.")
    with transaction.atomic():
        version.comments_close_at = close_at
        version.save(update_fields=["comments_close_at"])
        is_open = close_at is None or close_at > timezone.now()
        record(
            definition=version.definition,
            actor=by,
            kind=Kind.OPEN_COMMENTS if is_open else Kind.CLOSE_COMMENTS,
            version_label=version.label,
            detail=f"until {close_at:%Y-%m-%d %H:%M} UTC" if close_at and is_open else "",
        )
