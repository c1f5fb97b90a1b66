"""The public page cache (docket/pagecache.py): anonymous reading pages are served from the
shared cache until anything they show changes. The rest of the suite runs with it off
(tests/settings.py); here it is on, with transactions that really commit, so the
invalidation that waits for the commit runs as it does in production."""

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile
from comments.models import Comment, Endorsement
from docket import pagecache
from moderation.models import Disposition
from tests.conftest import client_for, make_comment, make_definition, make_user

pytestmark = pytest.mark.django_db(transaction=True)
HIT = pagecache.HEADER


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def version():
    return make_definition().versions.get(label="1.0")


CLAUSE = "/charter/1.0/scope/"


def plant(key: str, value: str) -> None:
    """Put a kept value in the shared cache as another process would have kept it: this
    process's copies of kept text (docket.pagecache) are dropped, so the next read finds it."""
    from django.core.cache import cache

    cache.set(key, value, timeout=60)
    pagecache.forget_local()


def anonymous_get(path=CLAUSE):
    return Client().get(path)


def test_a_second_anonymous_visit_is_served_from_the_cache_without_queries(version):
    first = anonymous_get()
    with CaptureQueriesContext(connection) as queries:
        second = anonymous_get()
    assert first[HIT] == "miss"
    assert second[HIT] == "hit"
    assert len(queries) == 0
    assert second.content == first.content
    # A shared HTTP cache must not give this anonymous copy to a signed-in person.
    assert first["Vary"] == second["Vary"] == "Cookie"
    # The headers every page has still come from the middleware, not from the cache.
    assert "Content-Security-Policy" in second
    assert second["X-Frame-Options"] == "DENY"


def test_signed_in_people_always_get_their_own_render(version, commenter):
    anonymous_get()
    response = client_for(commenter).get(CLAUSE)
    assert HIT not in response
    assert 'id="comment-form"' in response.content.decode()
    assert 'id="comment-form"' not in anonymous_get().content.decode()


def test_only_the_pages_own_parameters_are_cached(version):
    anonymous_get(CLAUSE + "?sort=newest")
    assert anonymous_get(CLAUSE + "?sort=newest")[HIT] == "hit"
    assert anonymous_get(CLAUSE + "?sort=oldest")[HIT] == "miss"
    assert HIT not in anonymous_get(CLAUSE + "?utm_source=news")
    assert HIT not in anonymous_get(CLAUSE + "?utm_source=news")


def test_a_visitor_with_messages_waiting_gets_a_fresh_page(version):
    anonymous_get()
    client = Client()
    client.cookies["messages"] = "anything"
    assert HIT not in client.get(CLAUSE)


def test_pages_that_are_not_marked_public_are_never_cached(version):
    Client().get(reverse("comments:lookup"))
    assert HIT not in Client().get(reverse("comments:lookup"))


def test_a_missing_page_is_not_cached(version):
    assert anonymous_get("/charter/1.0/nothing-here/").status_code == 404
    assert HIT not in anonymous_get("/charter/1.0/nothing-here/")


def test_the_cache_can_be_turned_off(version, settings):
    settings.PAGE_CACHE_SECONDS = 0
    anonymous_get()
    assert HIT not in anonymous_get()


# Every change that a reading page shows is seen at once by the next anonymous visitor


def test_a_posted_comment_shows_at_once(version, commenter):
    anonymous_get()
    body = f"Seen at once {uuid.uuid4().hex}"
    form = {"body": body, "quote": "", "on_behalf_of": "", "token": str(uuid.uuid4())}
    assert client_for(commenter).post(f"/comments/new/{version.pk}/scope/", form).status_code == 302
    response = anonymous_get()
    assert response[HIT] == "miss"
    assert body in response.content.decode()


def test_a_hidden_comment_disappears_at_once(version, moderator):
    comment = make_comment(make_user(), version, body="Buy cheap knives here.")
    assert "Buy cheap knives" in anonymous_get().content.decode()
    url = reverse("moderation:act", args=[comment.pk, "hide"])
    assert client_for(moderator).post(url, {"reason": "Spam."}).status_code == 302
    html = anonymous_get().content.decode()
    assert "Buy cheap knives" not in html
    assert "hidden by a moderator" in html


def test_a_new_display_name_shows_at_once(version):
    author = make_user()
    make_comment(author, version)
    anonymous_get()
    profile = Profile.objects.get(user=author)
    profile.display_name = "Renamed Person"
    profile.save()
    assert "Renamed Person" in anonymous_get().content.decode()


def test_an_endorsement_shows_at_once(version):
    comment = make_comment(make_user(), version)
    before = anonymous_get().content
    Endorsement.objects.create(comment=comment, person=make_user(), note="Strongly agree")
    after = anonymous_get()
    assert after[HIT] == "miss"
    assert after.content != before
    assert "Strongly agree" in after.content.decode()


def test_a_disposition_shows_at_once(version):
    comment = make_comment(make_user(), version)
    anonymous_get()
    steward = make_user(groups=["Stewards"])
    Disposition.objects.create(
        comment=comment, status="declined", rationale="Out of date.", decided_by=steward
    )
    assert anonymous_get()[HIT] == "miss"


def test_a_change_to_a_shown_row_forgets_every_cached_page_and_other_rows_do_not(version):
    anonymous_get()
    anonymous_get("/charter/1.0/")
    Group.objects.create(name="Unrelated")
    assert anonymous_get()[HIT] == "hit"
    version.definition.save()
    assert anonymous_get()[HIT] == "miss"
    assert anonymous_get("/charter/1.0/")[HIT] == "miss"


def test_the_change_is_forgotten_only_once_it_commits(version):
    """A reader between the write and its commit must not store the old page under the new
    generation: the bump waits for the commit."""
    from django.db import transaction

    anonymous_get()
    with transaction.atomic():
        make_comment(make_user(), version, body="Not yet committed.")
        assert anonymous_get()[HIT] == "hit"
    response = anonymous_get()
    assert response[HIT] == "miss"
    assert "Not yet committed." in response.content.decode()


def test_the_changes_of_one_transaction_move_each_generation_on_once_together(version):
    from django.db import transaction

    from comments.threads import _counts_generation

    counts = _counts_generation(version.pk)
    before = pagecache.generation(), pagecache.generation_of(counts)
    with transaction.atomic():
        comment = make_comment(make_user(), version, body="One change.")
        Endorsement.objects.create(comment=comment, person=make_user())
        make_comment(make_user(), version, body="And another.")
    # Five saves asked for the page generation and two for the counts: one bump each.
    assert (pagecache.generation(), pagecache.generation_of(counts)) == (before[0] + 1, before[1] + 1)


def test_a_change_after_a_rolled_back_part_of_its_transaction_is_still_forgotten(version):
    from django.db import transaction

    anonymous_get()
    with transaction.atomic():
        try:
            with transaction.atomic():
                make_comment(make_user(), version, body="Rolled back.")
                raise RuntimeError
        except RuntimeError:
            pass
        make_comment(make_user(), version, body="Kept after the rollback.")
    html = anonymous_get().content.decode()
    assert "Kept after the rollback." in html and "Rolled back." not in html


def test_a_lost_generation_counter_never_brings_back_an_older_page(version):
    """A full cache may evict the counter; the pages stored under the old numbers must not come
    back when it is made again."""
    from django.core.cache import cache

    anonymous_get()
    make_comment(make_user(), version, body="Said after the page was stored.")
    cache.delete(pagecache.GENERATION_KEY)  # evicted
    response = anonymous_get()
    assert response[HIT] == "miss"
    assert "Said after the page was stored." in response.content.decode()


# The shared fragment of the version page: what every signed-in reader sees alike, kept with the
# page cache, while their own parts of the page are rendered for them


def fragment_keys() -> list[str]:
    from django.core.cache import cache

    return [key for key in cache._cache if ":fragment:" in key]  # local memory keeps made keys


def test_a_signed_in_reader_gets_the_version_pages_clauses_from_the_shared_fragment(version, commenter):

    reader = client_for(commenter)
    first = reader.get("/charter/1.0/").content.decode()
    assert "What this covers." in first and "Comment on this clause" in first
    # The clauses are kept inside the page's part that shows the record (both per page template).
    [clauses] = [key for key in fragment_keys() if ":version-clauses:" in key]
    [key] = [key for key in fragment_keys() if ":version-page:" in key]
    assert ":comments/version.html:" in key and ":comments/version.html:" in clauses
    plant(key.split(":", 2)[-1], "<p>the kept fragment</p>")
    second = reader.get("/charter/1.0/")
    assert HIT not in second  # the page itself is rendered for them, around the fragment
    assert "<p>the kept fragment</p>" in second.content.decode()
    assert '<div class="clause-body">' not in second.content.decode()


def test_with_the_fragment_kept_the_clauses_are_not_read_and_the_counts_in_one_query(version, commenter):
    reader = client_for(commenter)
    reader.get("/charter/1.0/")
    with CaptureQueriesContext(connection) as queries:
        assert reader.get("/charter/1.0/").status_code == 200
    read = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in read if '"definition_clausetext"' in q]
    # The counts are kept until a comment is added: none read now, then one query after one is.
    assert not [q for q in read if '"comments_comment"' in q]
    make_comment(make_user(), version, body="A new one.")
    with CaptureQueriesContext(connection) as queries:
        html = reader.get("/charter/1.0/").content.decode()
    assert len([q for q in queries.captured_queries if '"comments_comment"' in q["sql"]]) == 1
    assert "(1 comment)" in html


def test_counts_are_kept_through_changes_that_change_no_count(version, commenter):
    reader = client_for(commenter)
    comment = make_comment(make_user(), version, body="Counted once.")
    assert "(1 comment)" in reader.get("/charter/1.0/").content.decode()
    Endorsement.objects.create(comment=comment, person=make_user())
    with CaptureQueriesContext(connection) as queries:
        html = reader.get("/charter/1.0/").content.decode()
    assert not [q for q in queries.captured_queries if '"comments_comment"' in q["sql"]]
    assert "(1 comment)" in html
    make_comment(make_user(), version, body="Counted too.")
    assert "(2 comments)" in reader.get("/charter/1.0/").content.decode()


def test_a_published_versions_clauses_outlast_changes_and_only_their_counts_follow(version, commenter):
    from django.core.cache import cache

    reader = client_for(commenter)
    reader.get("/charter/1.0/")
    [key] = [key for key in fragment_keys() if ":version-clauses:" in key]
    assert ":lasting:" in key
    kept = cache.get(key.split(":", 2)[-1])
    assert "<!--live:comment_count:" in kept  # the counts are not part of what is kept
    plant(key.split(":", 2)[-1], kept.replace("What this covers.", "Kept words."))
    make_comment(make_user(), version, body="A change.")  # forgets the page cache's generation
    # and a change to the record (elsewhere): the page around the clauses is rendered again.
    pagecache.forget_now(record=True)
    html = reader.get("/charter/1.0/").content.decode()
    assert "Kept words." in html  # the published text was not rendered again
    assert "1 comment<span" in html and "(1 comment)" in html  # its counts were
    assert "<!--live:" not in html


def test_the_version_pages_record_part_outlasts_comments_but_not_a_change_to_the_record(version, commenter):
    from django.core.cache import cache

    reader = client_for(commenter)
    reader.get("/charter/1.0/")
    [key] = [key for key in fragment_keys() if ":version-page:" in key]
    assert ":record:" in key
    kept = cache.get(key.split(":", 2)[-1])
    plant(key.split(":", 2)[-1], kept.replace("What this covers.", "Kept words."))
    make_comment(make_user(), version, body="A change.")  # the discussion changes, not the record
    html = reader.get("/charter/1.0/").content.decode()
    assert "Kept words." in html and "(1 comment)" in html
    definition = version.definition
    definition.title = "The Renamed Charter"
    definition.save()  # the record changes: what was kept under its generation is forgotten
    html = reader.get("/charter/1.0/").content.decode()
    assert "Kept words." not in html and "What this covers." in html
    assert "The Renamed Charter" in html


def test_a_new_comment_shows_in_the_version_pages_counts_at_once(version, commenter):
    reader = client_for(commenter)
    assert "No comments yet<span" in reader.get("/charter/1.0/").content.decode()
    make_comment(make_user(), version, body="Counted.")
    html = reader.get("/charter/1.0/").content.decode()
    assert "1 comment<span" in html


def test_a_drafts_clauses_are_never_kept(steward):
    definition = make_definition(
        slug="charter", versions={"0.1": [("scope", "Scope", "Draft words.")]}, publish=False
    )
    text = definition.versions.get().clause_texts.get()
    drafter = client_for(steward)
    assert "Draft words." in drafter.get("/charter/0.1/").content.decode()
    type(text).objects.filter(pk=text.pk).update(body_html="<p>Changed words.</p>")  # no signal
    assert "Changed words." in drafter.get("/charter/0.1/").content.decode()
    assert fragment_keys() == []


def test_what_a_steward_or_moderator_sees_first_is_not_kept_for_others(version, steward, moderator):
    from django.core.cache import cache

    from comments.models import Comment

    make_comment(
        make_user(), version, body="Hidden words.", status=Comment.Status.HIDDEN, status_reason="Spam."
    )
    for person in (steward, moderator):
        client_for(person).get("/charter/1.0/")
        client_for(person).get("/charter/1.0/dispositions/")
    kept = [cache.get(key.split(":", 2)[-1]) for key in fragment_keys()]
    # The version page's description, its clauses, and what the moderator (not a steward) saw of
    # the page around them; the report.
    assert len(kept) == 4
    for fragment in kept:
        assert "csrfmiddlewaretoken" not in fragment
        assert "Stewards: drafting" not in fragment and "Hidden words." not in fragment
        assert steward.profile.name not in fragment and moderator.profile.name not in fragment
    # A reader then gets the same page as with nothing kept.
    reader = client_for(make_user())
    with_kept = reader.get("/charter/1.0/").content.decode()
    cache.clear()
    fresh = reader.get("/charter/1.0/").content.decode()
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)  # noqa: E731
    assert strip(with_kept) == strip(fresh)


def test_the_disposition_report_is_a_shared_fragment_read_once_per_change_and_page(version, commenter):
    make_comment(make_user(), version, body="Reported.")
    reader = client_for(commenter)
    report = "/charter/1.0/dispositions/"
    first = reader.get(report).content.decode()
    assert "1 comment, <strong>1 still awaiting a response</strong>" in first
    with CaptureQueriesContext(connection) as queries:
        again = reader.get(report).content.decode()
    assert '"comments_comment"' not in " ".join(q["sql"] for q in queries.captured_queries)
    assert "1 comment, <strong>1 still awaiting a response</strong>" in again
    assert len([key for key in fragment_keys() if ":disposition-report:" in key]) == 1
    reader.get(report + "?page=2")
    assert len([key for key in fragment_keys() if ":disposition-report:" in key]) == 2
    make_comment(make_user(), version, body="Reported too.")
    assert "2 comments, <strong>2 still awaiting a response</strong>" in reader.get(report).content.decode()


def test_an_address_cannot_make_report_fragments_of_its_own(version, commenter):
    make_comment(make_user(), version, body="Reported.")
    reader = client_for(commenter)
    report = "/charter/1.0/dispositions/"
    for query in ("", "?utm_source=a", "?utm_source=b", "?page=1", "?page=01", "?page=abc"):
        assert reader.get(report + query).status_code == 200
    assert len([key for key in fragment_keys() if ":disposition-report:" in key]) == 1


def test_a_publishers_new_name_shows_at_once_and_a_sign_up_forgets_nothing_of_the_record(steward):
    from django.core.cache import cache

    definition = make_definition(publish=False)
    draft = definition.versions.get()
    draft.publish(by=steward)
    url = f"/{definition.slug}/{draft.label}/"
    assert f"by Participant {steward.pk}" in anonymous_get(url).content.decode()
    record = cache.get(pagecache.RECORD_GENERATION_KEY)
    make_user()  # a sign-up: a new profile, no publication of theirs on any page
    assert cache.get(pagecache.RECORD_GENERATION_KEY) == record
    profile = Profile.objects.get(user=steward)
    profile.display_name = "Grace Steward"
    profile.save()
    assert "by Grace Steward" in anonymous_get(url).content.decode()
    assert "by Grace Steward" in client_for(make_user()).get(url).content.decode()


def test_a_request_reads_the_generations_once(version, commenter, monkeypatch):
    from django.core.cache import cache

    reads = []
    original = cache.get_many

    def spying(keys, *args, **kwargs):
        if pagecache.GENERATION_KEY in keys:
            reads.append(keys)
        return original(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", spying)
    # The page's key, the published versions and two fragments each ask for a generation.
    assert client_for(commenter).get("/charter/1.0/").status_code == 200
    assert len(reads) == 1


def test_a_change_inside_a_request_is_seen_by_what_that_request_reads_next():
    token = pagecache._read_in_request.set({})
    try:
        before = pagecache.generation(), pagecache.record_generation()
        pagecache.forget_now(record=True)
        assert pagecache.generation() > before[0]
        assert pagecache.record_generation() > before[1]
    finally:
        pagecache._read_in_request.reset(token)


def test_a_clause_pages_record_is_read_once_per_record_change_and_follows_a_new_version(version, commenter):
    reader = client_for(commenter)  # signed in: the page itself is rendered every time
    reader.get(CLAUSE)
    make_comment(make_user(), version, body="A change to the discussion.")
    with CaptureQueriesContext(connection) as queries:
        html = reader.get(CLAUSE).content.decode()
    read = [q["sql"] for q in queries.captured_queries]
    # Neither the versions nor the clause's texts are read again: the record did not change.
    assert not [q for q in read if 'FROM "definition_version"' in q]
    assert not [q for q in read if 'FROM "definition_clausetext"' in q]
    assert "A change to the discussion." in html
    make_definition(versions={"2.0": [("scope", "Scope", "What this covers now.")]})
    html = reader.get(CLAUSE).content.decode()
    assert "/charter/2.0/scope/" in html  # the new version is offered at once


def test_without_a_shared_cache_counts_are_never_kept(version, commenter, settings):
    # With a cache per process, another worker's new comment would go unseen here.
    settings.PAGE_CACHE_SECONDS = 0
    reader = client_for(commenter)
    reader.get("/charter/1.0/")
    with CaptureQueriesContext(connection) as queries:
        reader.get("/charter/1.0/")
    assert len([q for q in queries.captured_queries if '"comments_comment"' in q["sql"]]) == 1


def test_a_post_starts_from_the_kept_clause_text_and_a_closing_applies_at_once(version, commenter):
    from datetime import timedelta

    from django.utils import timezone

    def post(body):
        form = {"body": body, "quote": "", "on_behalf_of": "", "token": str(uuid.uuid4())}
        return author.post(f"/comments/new/{version.pk}/scope/", form)

    author = client_for(commenter)
    assert post("First.").status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert post("Second.").status_code == 302
    assert not [q for q in queries.captured_queries if 'FROM "definition_clausetext"' in q["sql"]]
    first = Comment.objects.get(body="First.")
    version.comments_close_at = timezone.now() - timedelta(minutes=1)
    version.save()
    assert post("Too late.").status_code == 403
    reply = {"body": "A late reply.", "quote": "", "on_behalf_of": "", "token": str(uuid.uuid4())}
    assert author.post(f"/comments/{first.pk}/reply/", reply).status_code == 403
    assert not Comment.objects.filter(body__in=["Too late.", "A late reply."]).exists()


def test_the_clause_pages_record_parts_are_kept_for_everyone_alike_and_follow_the_record(
    version, steward, commenter
):
    from django.core.cache import cache

    make_comment(make_user(), version, body="A comment.")
    client_for(steward).get(CLAUSE)  # a steward's own render: nothing of it is kept
    assert fragment_keys() == []
    reader = client_for(commenter)
    first = reader.get(CLAUSE).content.decode()
    kept = [cache.get(key.split(":", 2)[-1]) for key in fragment_keys()]
    assert len(kept) == 3  # the header, the links, the citations and neighbours
    for fragment in kept:
        assert "csrfmiddlewaretoken" not in fragment and commenter.profile.name not in fragment
        assert "A comment." not in fragment and 'name="token"' not in fragment
    # What is kept is what the next reader gets: a marked copy shows.
    key = next(key.split(":", 2)[-1] for key in fragment_keys() if "clause-header" in key)
    original = cache.get(key)
    plant(key, original.replace("</h1>", " (kept)</h1>"))
    assert "(kept)</h1>" in reader.get(CLAUSE).content.decode()
    assert "(kept)</h1>" in client_for(make_user()).get(CLAUSE).content.decode()
    plant(key, original)
    # Read again after a comment, and as an anonymous reader: the same, from what was kept.
    make_comment(make_user(), version, body="Another comment.")
    again = reader.get(CLAUSE).content.decode()
    # (Each render has its own CSRF token and its own form token.)
    strip = lambda html: re.sub(r'name="(csrfmiddlewaretoken|token)" value="[^"]*"', "", html)  # noqa: E731
    cache.clear()
    assert strip(again) == strip(reader.get(CLAUSE).content.decode())
    assert "Another comment." in again and "Not the latest version." not in first + again
    # A new version is a change to the record: the old one's clause page says so at once.
    make_definition(versions={"2.0": [("scope", "Scope", "What this covers now.")]})
    assert "Not the latest version." in reader.get(CLAUSE).content.decode()
    assert "Not the latest version." in anonymous_get().content.decode()


# What is kept, held in the process too (pagecache._LocalCopies)


def test_kept_text_is_read_from_the_shared_cache_once_per_process(settings, monkeypatch):
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 60
    made = []
    keep = lambda: pagecache.keep("local-test", lambda: made.append(1) or "<p>Kept.</p>", None)  # noqa: E731
    assert keep() == "<p>Kept.</p>"
    reads = []
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: reads.append(args) or None)
    assert keep() == "<p>Kept.</p>" and keep() == "<p>Kept.</p>"
    assert made == [1] and reads == []  # neither made again nor read from the shared cache


def test_a_kept_object_is_a_fresh_copy_each_time_and_a_new_generation_is_made_again(settings, monkeypatch):
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 60
    number = {"n": 1}
    first = pagecache.keep("local-object", lambda: ["a list"], lambda: number["n"])
    first.append("changed by its request")
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: pytest.fail("read from the shared cache"))
    again = pagecache.keep("local-object", lambda: ["made again"], lambda: number["n"])
    assert again == ["a list"] and again is not first  # a request may change its copy
    monkeypatch.undo()
    number["n"] = 2
    text = lambda: pagecache.keep("local-text", lambda: f"text {number['n']}", lambda: number["n"])  # noqa: E731
    assert text() == "text 2"
    number["n"] = 3
    assert text() == "text 3"  # another generation's key: made again, not the copy held


def test_copies_held_expire_with_the_entry_and_the_least_recently_used_go_first(monkeypatch):
    clock = {"now": 1000.0}
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock["now"])
    held = pagecache._LocalCopies(limit=10)
    held.put("a", "aaaa", 60)
    held.put("b", "bbbb", 60)
    assert held.get("a") == "aaaa"  # a is now the most recently used
    held.put("c", "cccc", 60)  # 12 characters: b goes
    assert held.get("b") is None and held.get("a") == "aaaa" and held.get("c") == "cccc"
    held.put("big", "x" * 11, 60)  # larger than the whole limit: not held
    assert held.get("big") is None and held.get("c") == "cccc"
    clock["now"] += 61
    assert held.get("a") is None and held.get("c") is None  # expired with the entry's lifetime
