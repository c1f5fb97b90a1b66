"""Comment cards kept by content (docket.kept, comments/cards.py): what everyone sees of a
comment is rendered once and reused, and a change to anything a card shows makes a new one, so
the clause page never shows a kept card that is out of date, and never shows one person's card
to another."""

from datetime import UTC, date, datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from accounts.models import Profile
from comments.models import Comment, Endorsement
from docket import kept
from moderation.models import Disposition
from tests.conftest import client_for, make_comment, make_user
from tests.test_clause_page_comments import clause_url

TEMPLATE = "comments/_earlier_card.html"


@pytest.fixture
def page(demo_definition):
    version = demo_definition.versions.get(label="1.0")
    return version, clause_url(demo_definition.slug, "1.0", "scope")


def _kept_keys_given_to(monkeypatch, method: str) -> list[str]:
    """The keys of kept renders given to the cache's `method` from now on, in order."""
    seen = []
    original = getattr(cache, method)

    def spying(keys, *args, **kwargs):
        seen.extend(key for key in keys if key.startswith("kept:"))
        return original(keys, *args, **kwargs)

    monkeypatch.setattr(cache, method, spying)
    return seen


@pytest.fixture
def kept_keys(monkeypatch) -> list[str]:
    """The keys of the renders kept from now on, in order."""
    return _kept_keys_given_to(monkeypatch, "set_many")


@pytest.fixture
def kept_reads(monkeypatch) -> list[str]:
    """The keys of kept renders read from now on, in order."""
    return _kept_keys_given_to(monkeypatch, "get_many")


def card_values(**changes) -> dict:
    values = {
        "pk": 1,
        "author": "Ada",
        "author_url": "/people/1/",
        "affiliation": "",
        "created_at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        "permalink": "/c/1/",
        "tracking_number": "C-1",
        "version_label": "0.9",
        "shown": True,
        "placeholder": "",
        "quote": "",
        "body_html": "<p>Kept.</p>",
        "disposition": None,
        "reply_total": 0,
        "endorsement_total": 0,
        "shown_in": "1.0",
        "anchor": None,
    }
    return values | changes


def test_the_same_values_are_rendered_once(monkeypatch):
    rendered = []
    original = kept.get_template

    def counting(name):
        template = original(name)
        render = template.render

        def render_and_count(context=None, request=None):
            rendered.append(context["pk"])
            return render(context, request)

        template.render = render_and_count
        return template

    monkeypatch.setattr(kept, "get_template", counting)
    first = kept.render_each(TEMPLATE, [card_values(), card_values(pk=2)])
    again = kept.render_each(TEMPLATE, [card_values(), card_values(pk=2), card_values(pk=3)])
    assert rendered == [1, 2, 3]
    assert again[:2] == first
    assert "<p>Kept.</p>" in again[2]


def test_changed_values_are_a_new_render():
    before = kept.render_each(TEMPLATE, [card_values()])[0]
    after = kept.render_each(TEMPLATE, [card_values(body_html="<p>Edited.</p>")])[0]
    assert "Kept." in before
    assert "Edited." in after and "Kept." not in after


def test_it_refuses_anything_but_plain_values(commenter):
    with pytest.raises(TypeError, match="plain values"):
        kept.render_each(TEMPLATE, [card_values(author=commenter)])


def test_the_time_zone_is_part_of_the_key():
    with timezone.override("UTC"):
        utc = kept.render_each(TEMPLATE, [card_values()])[0]
    with timezone.override("Pacific/Auckland"):
        auckland = kept.render_each(TEMPLATE, [card_values()])[0]
    assert "2 Jan 2026" in utc
    assert utc != auckland  # the same moment, shown in the reader's time zone


def test_the_language_is_part_of_the_key(kept_keys):
    with translation.override("en"):
        kept.render_each(TEMPLATE, [card_values()])
    with translation.override("fr"):
        kept.render_each(TEMPLATE, [card_values()])
    assert len(kept_keys) == 2 and kept_keys[0] != kept_keys[1]


def test_an_edit_shows_at_once(page, commenter):
    version, url = page
    comment = make_comment(commenter, version, body="The first wording.")
    assert "The first wording." in Client().get(url).text
    comment.body = "The second wording."
    comment.save()
    html = Client().get(url).text
    assert "The second wording." in html and "The first wording." not in html


def test_a_renamed_author_shows_at_once(page, commenter):
    version, url = page
    make_comment(commenter, version)
    Profile.objects.filter(user=commenter).update(display_name="Old Name")
    assert "Old Name" in Client().get(url).text
    Profile.objects.filter(user=commenter).update(display_name="New Name")
    html = Client().get(url).text
    assert "New Name" in html and "Old Name" not in html


def test_an_endorsement_shows_at_once_and_goes_when_withdrawn(page, commenter):
    version, url = page
    comment = make_comment(commenter, version)
    assert "1 endorsement" not in Client().get(url).text
    endorsement = Endorsement.objects.create(comment=comment, person=make_user(), note="Seconded.")
    assert "Seconded." in Client().get(url).text
    endorsement.delete()
    assert "Seconded." not in Client().get(url).text


def test_a_hidden_comment_seen_by_a_moderator_stays_hidden_from_others(page, commenter, moderator):
    version, url = page
    make_comment(commenter, version, body="A secret wording.", status=Comment.Status.HIDDEN)
    as_moderator = client_for(moderator).get(url).text
    assert "A secret wording." in as_moderator
    assert "You see its text because you are a moderator." in as_moderator
    anonymous = Client().get(url).text
    assert "A secret wording." not in anonymous
    assert "hidden by a moderator" in anonymous
    other = client_for(make_user()).get(url).text
    assert "A secret wording." not in other


def test_the_author_is_told_why_they_see_their_held_comment(page, commenter):
    version, url = page
    make_comment(commenter, version, body="Waiting wording.", status=Comment.Status.HELD)
    html = client_for(commenter).get(url).text
    assert "Waiting wording." in html
    assert "You see its text because you wrote it." in html
    assert "Waiting wording." not in Client().get(url).text


def test_a_disposition_shows_at_once_and_only_its_author_gets_the_answer_form(page, commenter, steward):
    version, url = page
    comment = make_comment(commenter, version)
    Client().get(url)  # the card without a disposition is kept
    Disposition.objects.create(
        comment=comment,
        status=Disposition.Status.OUT_OF_SCOPE,
        rationale="Beyond this clause.",
        decided_by=steward,
    )
    anonymous = Client().get(url).text
    assert "Beyond this clause." in anonymous
    assert "Answer this disposition" not in anonymous
    assert "Answer this disposition" in client_for(commenter).get(url).text


def test_after_a_change_only_the_changed_comment_is_rendered_again(page, commenter, kept_keys):
    version, url = page
    comments = [make_comment(commenter, version, body=f"Comment {n}.") for n in range(5)]
    Client().get(url)
    assert len(kept_keys) == 10  # five cards, and five threads of one comment each
    Endorsement.objects.create(comment=comments[2], person=make_user())
    assert "1 endorsement" in Client().get(url).text
    assert len(kept_keys) == 12  # that comment's card and its thread


def test_after_a_change_only_the_changed_threads_cards_are_read(page, commenter, kept_reads):
    read = kept_reads
    version, url = page
    comments = [make_comment(commenter, version, body=f"Comment {n}.") for n in range(5)]
    Client().get(url)
    read.clear()
    Client().get(url)
    assert len(read) == 5  # the five threads, found kept: none of their cards is read
    read.clear()
    Endorsement.objects.create(comment=comments[2], person=make_user())
    assert "1 endorsement" in Client().get(url).text
    assert len(read) == 6  # the five threads, and the card of the one that changed


def test_an_anonymous_readers_threads_are_kept_whole_and_read_as_if_rendered_each_time(
    page, commenter, steward, monkeypatch
):
    from comments import cards

    version, url = page
    root = make_comment(commenter, version, body="The first *thread*.")
    parent = root
    for n in range(8):  # deeper than the threads nest: the last replies are flattened
        parent = make_comment(make_user(), version, body=f"Reply {n}.", parent=parent)
    make_comment(commenter, version, body="Hidden words.", status=Comment.Status.HIDDEN)
    Endorsement.objects.create(comment=root, person=make_user(), note="Seconded.")
    Disposition.objects.create(
        comment=root, status=Disposition.Status.NOTED, rationale="Taken into account.", decided_by=steward
    )
    make_comment(steward, version, body="Said at a town hall.", source="Town hall", external_author="Ada")
    kept = Client().get(url).text
    assert "in reply to" in kept and "Seconded." in kept and "Taken into account." in kept
    assert "Hidden words." not in kept

    original = cards.Cards.__init__

    def without_kept_threads(self, **kwargs):
        original(self, **{**kwargs, "roots": []})

    monkeypatch.setattr(cards.Cards, "__init__", without_kept_threads)
    assert Client().get(url).text == kept


def test_a_signed_in_reader_gets_threads_rendered_for_them(page, commenter):
    version, url = page
    make_comment(make_user(), version, body="Someone else's comment.")
    html = client_for(commenter).get(url).text
    assert "Endorse" in html and "Flag" in html  # controls of their own on each comment


def test_it_refuses_a_dataclass_it_could_write_field_by_field():
    """A template may read more of an object than its fields (a property, a method): keyed by
    its fields, a render could go stale, so a dataclass is refused like any other object."""
    import dataclasses

    @dataclasses.dataclass
    class Shown:
        name: str

    with pytest.raises(TypeError, match="plain values, not Shown"):
        kept.render_each(TEMPLATE, [card_values(author=Shown("Ada"))])


def test_dates_and_numbers_as_keys_are_plain_values():
    first = kept.keys_of(TEMPLATE, [{"when": date(2026, 1, 2), "counts": {3: "three"}}])
    again = kept.keys_of(TEMPLATE, [{"counts": {3: "three"}, "when": date(2026, 1, 2)}])
    later = kept.keys_of(TEMPLATE, [{"when": date(2026, 1, 3), "counts": {3: "three"}}])
    assert first == again  # the order values are given in does not matter
    assert first != later
