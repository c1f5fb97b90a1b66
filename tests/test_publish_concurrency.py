"""Two stewards acting at the same moment: one published version, one draft.

The threaded tests need real concurrent connections and row locks, so they run on PostgreSQL
only; the last tests (a second publish arriving after the first) run on any database.
"""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from definition import drafting
from definition.models import StewardAction, Version
from tests.conftest import client_for, make_definition, make_user

Kind = StewardAction.Kind


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL for real concurrent transactions and row locks (this run uses {connection.vendor})"
        )


def run_together(*calls):
    """Run each call in its own thread (and so its own database connection), released at once.

    Returns, per call, ("ok", result) or ("error", exception).
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call())
        except Exception as exc:  # the test inspects what each call raised
            outcomes[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return outcomes


def two_stewards():
    return make_user(groups=["Stewards"]), make_user(groups=["Stewards"])


def charter_with_draft(by):
    charter = make_definition(slug="charter")
    draft = drafting.start_draft(definition=charter, label="1.1", by=by)
    return charter, draft


@pytest.mark.django_db(transaction=True)
def test_two_stewards_publishing_at_once_publish_the_draft_once(postgres_only):
    first, second = two_stewards()
    charter, draft = charter_with_draft(by=first)

    def publish_as(steward):
        # Each steward's request loaded the draft on its own.
        own_copy = Version.objects.get(pk=draft.pk)
        return lambda: drafting.publish_draft(
            draft=own_copy,
            by=steward,
            release_notes=f"Published by {steward.username}.",
            comments_close_at=None,
            close_previous=True,
        )

    outcomes = run_together(publish_as(first), publish_as(second))

    succeeded = [value for kind, value in outcomes if kind == "ok"]
    failed = [value for kind, value in outcomes if kind == "error"]
    assert len(succeeded) == 1
    assert len(failed) == 1
    assert isinstance(failed[0], drafting.DraftError), repr(failed[0])
    winner = succeeded[0]

    stored = Version.objects.get(pk=draft.pk)
    assert stored.is_published
    assert stored.published_at == winner.published_at  # the loser did not stamp it again
    assert stored.published_by_id == winner.published_by_id
    assert stored.release_notes == winner.release_notes
    assert StewardAction.objects.filter(kind=Kind.PUBLISH, version_label="1.1").count() == 1
    assert StewardAction.objects.filter(kind=Kind.CLOSE_COMMENTS, version_label="1.0").count() == 1
    assert charter.versions.published().count() == 2
    assert not charter.versions.drafts().exists()


@pytest.mark.django_db(transaction=True)
def test_two_stewards_starting_a_draft_at_once_make_one_draft(postgres_only):
    first, second = two_stewards()
    charter = make_definition(slug="charter")

    def start_as(steward, label):
        # Different labels, so only the one-draft rule (not the unique label) can stop the second.
        return lambda: drafting.start_draft(definition=charter, label=label, by=steward)

    outcomes = run_together(start_as(first, "1.1"), start_as(second, "2.0"))

    succeeded = [value for kind, value in outcomes if kind == "ok"]
    failed = [value for kind, value in outcomes if kind == "error"]
    assert len(succeeded) == 1
    assert len(failed) == 1
    assert isinstance(failed[0], drafting.DraftError), repr(failed[0])

    drafts = list(charter.versions.drafts())
    assert [d.pk for d in drafts] == [succeeded[0].pk]
    assert drafts[0].clause_texts.count() == 2  # a full copy of 1.0, not a half-made one
    assert StewardAction.objects.filter(kind=Kind.START_DRAFT).count() == 1


# Without threads, on any database: a publish that arrives after the draft was published.


@pytest.fixture
def published_once(db, steward):
    charter, draft = charter_with_draft(by=steward)
    client = client_for(steward)
    response = client.post(
        reverse("stewards:publish", args=["charter"]),
        {"release_notes": "First and only.", "comments_close_at": "", "close_previous": "on"},
    )
    assert response.status_code == 302
    return client, Version.objects.get(pk=draft.pk)


def test_publishing_again_through_the_view_finds_no_draft_and_does_not_republish(published_once):
    client, version = published_once
    response = client.post(
        reverse("stewards:publish", args=["charter"]),
        {"release_notes": "Second press.", "comments_close_at": "", "close_previous": "on"},
    )
    assert response.status_code == 404
    stored = Version.objects.get(pk=version.pk)
    assert stored.published_at == version.published_at
    assert stored.release_notes == "First and only."
    assert StewardAction.objects.filter(kind=Kind.PUBLISH).count() == 1


def test_the_publish_page_of_a_published_draft_is_gone(published_once):
    client, _ = published_once
    assert client.get(reverse("stewards:publish", args=["charter"])).status_code == 404


def test_publishing_a_stale_copy_of_a_published_draft_raises_a_draft_error(db, steward):
    _, draft = charter_with_draft(by=steward)
    stale = Version.objects.get(pk=draft.pk)  # loaded before the publish, still says "draft"
    published = drafting.publish_draft(
        draft=draft, by=steward, release_notes="First.", comments_close_at=None, close_previous=True
    )
    assert not stale.is_published

    with pytest.raises(drafting.DraftError, match="already been published"):
        drafting.publish_draft(
            draft=stale,
            by=make_user(groups=["Stewards"]),
            release_notes="Again.",
            comments_close_at=None,
            close_previous=True,
        )

    stored = Version.objects.get(pk=draft.pk)
    assert stored.published_at == published.published_at
    assert stored.published_by == steward
    assert stored.release_notes == "First."
    assert StewardAction.objects.filter(kind=Kind.PUBLISH).count() == 1


def test_starting_a_second_draft_while_one_exists_raises_a_draft_error(db, steward):
    charter, draft = charter_with_draft(by=steward)
    with pytest.raises(drafting.DraftError, match="already has a draft"):
        drafting.start_draft(definition=charter, label="2.0", by=steward)
    assert [d.pk for d in charter.versions.drafts()] == [draft.pk]
    assert StewardAction.objects.filter(kind=Kind.START_DRAFT).count() == 1
