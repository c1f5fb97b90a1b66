"""No executable content reaches a page through the other fields people type (issue 4, sanitisation).

tests/test_comment_xss.py covers what commenters type; this module feeds the same payloads, through
the real views, into what stewards, moderators and searchers type:

- a steward's clause heading and text (editing a draft clause and adding one), and the release
  notes given when publishing;
- a commenter's note when flagging a comment, as moderators see it in the queue and on the
  comment's moderation page;
- a steward's disposition rationale, on the clause page, the dispositions report and the
  disposition page;
- the search box, which echoes the query.

Each value is checked to be stored as typed, and every page showing it is audited with the audit of
tests/test_comment_xss.py (no script but the site's own, no on* attribute, no unsafe URL scheme, no
iframe/object/embed/svg/math/style/base element, no style attribute in the main content).

The payloads: all of the project's own list and of markdown-it's fixtures, and every
PAYLOAD_STRIDE-th payload of the other files of ../shared/corpus/xss. A bounded subset (150 of the
395 payloads), so the module stays around a minute on SQLite: each payload here costs a definition,
a draft and some twenty requests. One test per field and source, so a failure says where the
payload came from.
"""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from definition.models import ClauseText, Definition
from moderation.models import Disposition, Flag
from tests.conftest import client_for, make_comment, make_definition, make_user
from tests.test_comment_xss import SOURCES, assert_no_executable_content, payloads_from

# Every PAYLOAD_STRIDE-th payload of each corpus file; all of the module's own list, and all of
# markdown-it's fixtures (few, and written for Markdown fields such as clause text and notes).
PAYLOAD_STRIDE = 5
EVERY_PAYLOAD_OF = {"own", "markdown-it-xss-fixtures.txt"}

HEADING_MAX = 300  # ClauseForm.heading
FLAG_NOTE_MAX = 500  # FlagForm.note
RATIONALE_MAX = 10_000  # DispositionForm.rationale
QUERY_MAX = 200  # search_page keeps the first 200 characters of the stripped query


def payloads(source: str) -> list[str]:
    every = payloads_from(source)
    return every if source in EVERY_PAYLOAD_OF else every[::PAYLOAD_STRIDE]


def fits(value: str, max_length: int) -> bool:
    """What a form with this max_length (and the default strip=True) accepts as a non-empty value."""
    return 0 < len(value.strip()) <= max_length


def assert_most_used(used: int, skipped: int):
    assert used, "no payload was used"
    assert skipped <= used // 4, f"{skipped} payloads skipped, only {used} used"


_slugs = iter(range(1, 10**9))


def fresh_version(key="scope"):
    """A definition of its own for one payload, so no page grows with the number of payloads."""
    definition = make_definition(
        slug=f"xss-{next(_slugs)}", versions={"1.0": [(key, "Scope", "What this covers.")]}
    )
    return definition.versions.get(label="1.0")


# Clause heading, clause text and release notes


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_a_clause_or_release_notes_reaches_a_page_as_executable_content(source, steward):
    as_steward = client_for(steward)
    reader = Client()
    used = skipped = 0
    for payload in payloads(source):
        if not fits(payload, HEADING_MAX):
            skipped += 1
            continue
        used += 1
        heading = payload.strip()
        slug = fresh_version().definition.slug
        response = as_steward.post(reverse("stewards:start", args=[slug]), {"label": "1.1"})
        assert response.status_code == 302, response.status_code

        # Edit the draft's copy of the clause, with the revision the form carries.
        edit_url = reverse("stewards:edit_clause", args=[slug, "scope"])
        form = as_steward.get(edit_url).context["form"].initial
        response = as_steward.post(
            edit_url,
            {**form, "heading": payload, "level": "2", "body": payload, "save": "1"},
        )
        assert response.status_code == 302, (payload, response.status_code)
        edited = ClauseText.objects.get(
            version__definition__slug=slug, version__label="1.1", clause__key="scope"
        )
        assert (edited.heading, edited.body) == (heading, payload)

        # Add a clause after it.
        response = as_steward.post(
            reverse("stewards:add_clause", args=[slug]),
            {"key": "added", "heading": payload, "level": "2", "body": payload, "position": "1", "save": "1"},
        )
        assert response.status_code == 302, (payload, response.status_code)
        added = ClauseText.objects.get(
            version__definition__slug=slug, version__label="1.1", clause__key="added"
        )
        assert (added.heading, added.body) == (heading, payload)

        # The draft as the steward sees it.
        draft_page = as_steward.get(reverse("definition:version", args=[slug, "1.1"]))
        assert_no_executable_content(draft_page)
        edited.refresh_from_db()
        assert edited.body_html in draft_page.content.decode()  # the audit saw the rendered text
        for key in ("scope", "added"):
            assert_no_executable_content(
                as_steward.get(reverse("definition:clause", args=[slug, "1.1", key]))
            )
        assert_no_executable_content(as_steward.get(reverse("stewards:draft", args=[slug])))
        assert_no_executable_content(as_steward.get(edit_url))

        # Published with the payload as release notes; read by anyone.
        response = as_steward.post(
            reverse("stewards:publish", args=[slug]), {"release_notes": payload, "close_previous": "on"}
        )
        assert response.status_code == 302, (payload, response.status_code)
        version = Definition.objects.get(slug=slug).versions.get(label="1.1")
        assert version.is_published
        assert version.release_notes == payload.strip()
        version_page = reader.get(reverse("definition:version", args=[slug, "1.1"]))
        assert_no_executable_content(version_page)
        assert str(escape(heading)) in version_page.content.decode()
        assert version.release_notes_html in version_page.content.decode()
        assert_no_executable_content(reader.get(reverse("definition:latest", args=[slug])))
        for key in ("scope", "added"):
            assert_no_executable_content(reader.get(reverse("definition:clause", args=[slug, "1.1", key])))
    assert_most_used(used, skipped)


# Flag note


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_a_flag_note_reaches_a_moderation_page_as_executable_content(
    source, commenter, moderator
):
    version = fresh_version()
    author = make_user()
    as_commenter, as_moderator = client_for(commenter), client_for(moderator)
    used = skipped = 0
    for payload in payloads(source):
        if not fits(payload, FLAG_NOTE_MAX):
            skipped += 1
            continue
        used += 1
        note = payload.strip()
        comment = make_comment(author, version, body="A comment.")
        response = as_commenter.post(
            reverse("moderation:flag", args=[comment.pk]), {"reason": Flag.Reason.OTHER, "note": payload}
        )
        assert response.status_code == 302, (payload, response.status_code)
        assert Flag.objects.get(comment=comment, reporter=commenter).note == note
        for page in (
            as_moderator.get(reverse("moderation:queue")),
            as_moderator.get(reverse("moderation:comment", args=[comment.pk])),
        ):
            assert_no_executable_content(page)
            assert str(escape(note)) in page.content.decode()  # the audit saw the note
        # Resolved, so the queue shows only the next payload's flag and does not grow.
        Flag.objects.filter(comment=comment).update(resolved_at=comment.created_at, resolved_by=moderator)
    assert_most_used(used, skipped)


# Disposition rationale


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_a_disposition_rationale_reaches_a_page_as_executable_content(
    source, steward, commenter
):
    as_steward = client_for(steward)
    reader = Client()
    used = skipped = 0
    for payload in payloads(source):
        if not fits(payload, RATIONALE_MAX):
            skipped += 1
            continue
        used += 1
        version = fresh_version()
        slug = version.definition.slug
        comment = make_comment(commenter, version, body="A comment.")
        url = reverse("moderation_stewards:disposition", args=[comment.pk])
        response = as_steward.post(url, {"status": Disposition.Status.NOTED, "rationale": payload})
        assert response.status_code == 302, (payload, response.status_code)
        disposition = Disposition.objects.get(comment=comment, is_current=True)
        assert disposition.rationale == payload.strip()
        for page in (
            reader.get(reverse("definition:clause", args=[slug, "1.0", "scope"])),
            reader.get(reverse("record:dispositions", args=[slug, "1.0"])),
            as_steward.get(url),
        ):
            assert_no_executable_content(page)
            assert disposition.rationale_html in page.content.decode()  # the audit saw the rationale
    assert_most_used(used, skipped)


# Search box


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_a_search_query_reaches_the_results_page_as_executable_content(source, reader):
    version = fresh_version()
    make_comment(make_user(), version, body="A comment about script and alert and img.")
    used = skipped = 0
    for payload in payloads(source):
        query = payload.strip()[:QUERY_MAX]
        if not query:
            skipped += 1
            continue
        used += 1
        page = reader.get(reverse("search"), {"q": payload})
        assert_no_executable_content(page)
        assert page.context["query"] == query
        assert str(escape(query)) in page.content.decode()
    assert_most_used(used, skipped)


def test_the_subset_still_holds_many_payloads():
    """The stride bounds the run time, not the coverage: well over a hundred payloads per field."""
    total = sum(len(payloads(source)) for source in SOURCES)
    assert total >= 120, total
