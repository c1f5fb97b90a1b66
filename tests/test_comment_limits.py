"""The limits on posting (issue 4): one comment per form however often it is submitted, a length
cap, comment periods, rate limits per person (stricter for new accounts) with allauth's own
limits left on, and Markdown rendering whose work grows linearly with the worst inputs."""

import re
import sys
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from allauth.account import app_settings as allauth_settings
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from comments import actions
from comments.models import MAX_BODY_LENGTH, Comment
from definition.models import ClauseText, Version
from docket import markdown
from tests.conftest import client_for, make_user


@pytest.fixture
def version(demo_definition):
    return demo_definition.versions.get(label="1.0")


def new_url(version, key="scope") -> str:
    return reverse("comments:new", args=[version.pk, key])


def clause_url(version, key="scope") -> str:
    return reverse("definition:clause", args=[version.definition.slug, version.label, key])


def comment_form(body="A comment.", token=None, **extra):
    return {
        "body": body,
        "quote": "",
        "on_behalf_of": "",
        "token": str(token or uuid.uuid4()),
        "post": "1",
        **extra,
    }


def post_directly(author, version, key="scope", body="A comment."):
    clause_text = ClauseText.objects.select_related("version").get(version=version, clause__key=key)
    return actions.post_comment(author=author, clause_text=clause_text, body=body, token=uuid.uuid4()).comment


def field_errors(html: str, field: str) -> str:
    """The error list shown next to a form field (templates/definition/steward/_field.html)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


# Idempotency


def test_submitting_the_same_form_twice_stores_one_comment_and_both_go_to_it(commenter, version):
    author = client_for(commenter)
    form = comment_form("Said once, sent twice.")
    first = author.post(new_url(version), form)
    second = author.post(new_url(version), form)
    assert Comment.objects.count() == 1
    comment = Comment.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert first["Location"].endswith(f"#comment-{comment.pk}")


def test_a_repeated_submit_does_not_count_towards_the_rate_limit(commenter, version):
    author = client_for(commenter)
    form = comment_form("Sent many times.")
    for _ in range(actions.NEW_ACCOUNT_RATE_LIMIT[0] + 2):
        assert author.post(new_url(version), form).status_code == 302
    assert Comment.objects.count() == 1


def test_a_repeated_submit_or_a_refused_post_uses_up_no_tracking_number(commenter, version):
    # A gap in the numbers reads like a deleted comment. (On PostgreSQL a failed insert would
    # use up a number of the sequence; SQLite reuses it, so there this holds either way.)
    from django.core.cache import cache

    author = client_for(commenter)
    form = comment_form("Sent twice.")
    author.post(new_url(version), form)
    author.post(new_url(version), form)
    first = Comment.objects.get()
    for n in range(actions.NEW_ACCOUNT_RATE_LIMIT[0] - 1):
        author.post(new_url(version), comment_form(f"Comment {n}."))
    assert author.post(new_url(version), comment_form("One too many.")).status_code == 429
    cache.clear()  # the limit's window passes
    author.post(new_url(version), comment_form("Later."))
    numbers = sorted(Comment.objects.values_list("pk", flat=True))
    assert numbers == list(range(first.pk, first.pk + len(numbers)))


def test_the_same_token_from_two_people_stores_two_comments(commenter, version):
    token = uuid.uuid4()
    client_for(commenter).post(new_url(version), comment_form("Mine.", token))
    client_for(make_user()).post(new_url(version), comment_form("Theirs.", token))
    assert Comment.objects.count() == 2


def test_a_second_form_from_the_same_person_stores_a_second_comment(commenter, version):
    author = client_for(commenter)
    author.post(new_url(version), comment_form("One."))
    author.post(new_url(version), comment_form("One."))
    assert Comment.objects.count() == 2


# Length cap


def test_a_comment_one_character_over_the_cap_is_refused_with_a_message_next_to_the_field(commenter, version):
    response = client_for(commenter).post(new_url(version), comment_form("x" * (MAX_BODY_LENGTH + 1)))
    assert response.status_code == 400
    errors = field_errors(response.content.decode(), "body")
    assert f"A comment has at most {MAX_BODY_LENGTH} characters (it has {MAX_BODY_LENGTH + 1})." in errors
    assert not Comment.objects.exists()


def test_a_comment_exactly_at_the_cap_is_accepted(commenter, version):
    response = client_for(commenter).post(new_url(version), comment_form("x" * MAX_BODY_LENGTH))
    assert response.status_code == 302
    assert len(Comment.objects.get().body) == MAX_BODY_LENGTH == 10_000


def test_a_comment_of_ten_thousand_characters_with_line_breaks_as_a_browser_sends_it_is_accepted(
    commenter, version
):
    typed = ("x" * 99 + "\n") * 99 + "x" * 100  # 10,000 characters as the browser counts them
    assert len(typed) == MAX_BODY_LENGTH
    response = client_for(commenter).post(new_url(version), comment_form(typed.replace("\n", "\r\n")))
    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_an_edit_over_the_cap_is_refused_and_changes_nothing(commenter, version):
    comment = post_directly(commenter, version, body="Short and kept.")
    response = client_for(commenter).post(
        reverse("comments:edit", args=[comment.pk]), {"body": "y" * (MAX_BODY_LENGTH + 1), "save": "1"}
    )
    assert response.status_code == 400
    assert f"A comment has at most {MAX_BODY_LENGTH} characters" in field_errors(
        response.content.decode(), "body"
    )
    comment.refresh_from_db()
    assert comment.body == "Short and kept."
    assert not comment.revisions.exists()


def test_a_reply_over_the_cap_is_refused(commenter, version):
    parent = post_directly(make_user(), version)
    response = client_for(commenter).post(
        reverse("comments:reply", args=[parent.pk]), comment_form("z" * (MAX_BODY_LENGTH + 1))
    )
    assert response.status_code == 400
    assert Comment.objects.count() == 1


# Comment periods


def close_comments(version, at):
    # A published version's own save() guards its frozen fields; the period is set directly.
    Version.objects.filter(pk=version.pk).update(comments_close_at=at)
    version.refresh_from_db()


def test_a_closed_version_shows_its_threads_but_no_form(commenter, version):
    comment = post_directly(make_user(), version, body="Said while it was open.")
    close_comments(version, timezone.now() - timedelta(days=1))
    html = client_for(commenter).get(clause_url(version)).content.decode()
    assert f'id="comment-{comment.pk}"' in html
    assert "Said while it was open." in html
    assert 'id="comment-form"' not in html
    assert new_url(version) not in html
    assert reverse("comments:reply", args=[comment.pk]) not in html
    assert "Comments on version 1.0 are closed" in html


def test_a_post_to_a_closed_version_is_refused_with_a_message_naming_the_closing(commenter, version):
    closed_at = timezone.now() - timedelta(days=1)
    close_comments(version, closed_at)
    response = client_for(commenter).post(new_url(version), comment_form("Too late."))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Comments are closed" in html
    assert f"are closed since {date_filter(closed_at, 'j F Y, H:i')} UTC" in html
    assert not Comment.objects.exists()


def test_a_reply_on_a_closed_version_is_refused(commenter, version):
    parent = post_directly(make_user(), version)
    close_comments(version, timezone.now() - timedelta(minutes=1))
    response = client_for(commenter).post(
        reverse("comments:reply", args=[parent.pk]), comment_form("Late reply.")
    )
    assert response.status_code == 403
    assert "Comments are closed" in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_version_whose_period_ends_later_still_takes_comments(commenter, version):
    close_comments(version, timezone.now() + timedelta(days=1))
    assert 'id="comment-form"' in client_for(commenter).get(clause_url(version)).content.decode()
    assert client_for(commenter).post(new_url(version), comment_form()).status_code == 302
    assert Comment.objects.count() == 1


def test_the_action_refuses_a_closed_version_even_without_the_view(commenter, version):
    close_comments(version, timezone.now() - timedelta(seconds=1))
    with pytest.raises(actions.CommentError, match="closed") as refused:
        post_directly(commenter, version)
    assert refused.value.status == 403
    assert not Comment.objects.exists()


# Rate limits


@pytest.fixture
def frozen_clock(monkeypatch):
    """The limit counts in fixed windows; a test that straddled a window's end would see the count
    start again. The rate limiter's clock stands still for the test."""
    now = timezone.now()
    monkeypatch.setattr(actions, "timezone", SimpleNamespace(now=lambda: now))
    return now


@pytest.fixture
def established(db):
    person = make_user()
    person.date_joined = timezone.now() - timedelta(days=30)
    person.save(update_fields=["date_joined"])
    return person


def test_an_established_account_is_stopped_after_the_rate_limit_with_a_clear_message(
    established, version, frozen_clock
):
    limit, window = actions.RATE_LIMIT
    author = client_for(established)
    for number in range(limit):
        assert author.post(new_url(version), comment_form(f"Comment {number}.")).status_code == 302
    response = author.post(new_url(version), comment_form("One too many."))
    html = response.content.decode()
    assert response.status_code == 429
    assert f"You have posted {limit} comments in the last {window // 60} minutes" in html
    assert "Please wait a few minutes and post again" in html
    assert "One too many." in html  # the text is kept in the form
    assert Comment.objects.count() == limit
    assert not Comment.objects.filter(body="One too many.").exists()


def test_the_limit_holds_with_the_cache_every_worker_shares(redis_cache, established, version, frozen_clock):
    """With Redis, a slot is taken in one script call (docket.redis_cache.add_first)."""
    limit, _ = actions.RATE_LIMIT
    author = client_for(established)
    for number in range(limit):
        assert author.post(new_url(version), comment_form(f"Comment {number}.")).status_code == 302
    assert author.post(new_url(version), comment_form("One too many.")).status_code == 429
    assert Comment.objects.count() == limit
    other = client_for(make_user())
    assert other.post(new_url(version), comment_form("Someone else.")).status_code == 302


def test_the_limit_holds_across_the_end_of_a_counting_window(established, version, monkeypatch):
    limit, window = actions.RATE_LIMIT
    window_end = (int(timezone.now().timestamp()) // window + 1) * window
    clock = SimpleNamespace(now=lambda: datetime.fromtimestamp(window_end - 1, tz=UTC))
    monkeypatch.setattr(actions, "timezone", clock)
    author = client_for(established)
    for number in range(limit):
        assert author.post(new_url(version), comment_form(f"Comment {number}.")).status_code == 302
    clock.now = lambda: datetime.fromtimestamp(window_end + 1, tz=UTC)  # two seconds later
    response = author.post(new_url(version), comment_form("One too many."))
    assert response.status_code == 429
    assert Comment.objects.count() == limit


def test_an_established_account_is_not_held_to_the_new_account_limit(established, version, frozen_clock):
    author = client_for(established)
    for number in range(actions.NEW_ACCOUNT_RATE_LIMIT[0] + 1):
        assert author.post(new_url(version), comment_form(f"Comment {number}.")).status_code == 302


def test_a_new_account_is_held_to_the_stricter_limit(commenter, version, frozen_clock):
    limit = actions.NEW_ACCOUNT_RATE_LIMIT[0]
    assert limit < actions.RATE_LIMIT[0]
    author = client_for(commenter)  # joined just now
    for number in range(limit):
        assert author.post(new_url(version), comment_form(f"Comment {number}.")).status_code == 302
    response = author.post(new_url(version), comment_form("One too many."))
    assert response.status_code == 429
    assert "as many as we take from a new account" in response.content.decode()
    assert Comment.objects.count() == limit


def test_replies_count_towards_the_rate_limit(commenter, version, frozen_clock):
    parent = post_directly(make_user(), version)
    author = client_for(commenter)
    for number in range(actions.NEW_ACCOUNT_RATE_LIMIT[0]):
        reply = author.post(reverse("comments:reply", args=[parent.pk]), comment_form(f"Reply {number}."))
        assert reply.status_code == 302
    refused = author.post(new_url(version), comment_form("One too many."))
    assert refused.status_code == 429


def test_one_persons_limit_does_not_stop_another(commenter, version, frozen_clock):
    author = client_for(commenter)
    for number in range(actions.NEW_ACCOUNT_RATE_LIMIT[0] + 1):
        author.post(new_url(version), comment_form(f"Comment {number}."))
    assert client_for(make_user()).post(new_url(version), comment_form("Mine.")).status_code == 302


def test_allauths_own_rate_limits_stay_on():
    assert getattr(settings, "ACCOUNT_RATE_LIMITS", None) is not False
    limits = allauth_settings.RATE_LIMITS
    for action in ("login_failed", "login", "signup", "reset_password", "confirm_email"):
        assert limits.get(action), action


def test_repeated_failed_logins_lock_the_account_for_a_while(reader, db):
    person = make_user(password="the right passphrase")
    for _ in range(5):
        reader.post(reverse("account_login"), {"login": person.email, "password": "a wrong guess"})
    response = reader.post(
        reverse("account_login"), {"login": person.email, "password": "the right passphrase"}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in reader.session


# Worst-case rendering, measured as work (Python function calls), not time


def make_input(unit: str, length: int, prefix: str = "") -> str:
    return (prefix + unit * (length // len(unit) + 1))[:length]


def calls_to_render(text: str) -> int:
    count = 0

    def profiler(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    previous = sys.getprofile()
    sys.setprofile(profiler)
    try:
        markdown.render(text)
    finally:
        sys.setprofile(previous)
    return count


# (prefix, repeated unit, calls measured at 10,000 characters with markdown-it-py 4.x, nh3 0.3 and
# the escaping of pathological paragraphs in docket.markdown).
# The bound is three times the measurement: room for library updates, small enough to catch a
# pattern turning quadratic (which at this length means hundreds of times more work).
WORST_INPUTS = [
    ("", "[", 170_379),
    ("", "`", 80),
    ("a", "`", 10_199),
    ("", "*", 80),
    ("a", "*", 170_176),
    ("", "<", 170_182),
    ("", "_", 80),
    ("a", "_", 170_176),
    ("", "- ", 5_080),  # a list nested as deep as the text allows
    ("", "> ", 951),  # a quote nested as deep as the text allows
    ("", "[a](", 152_681),
    ("", "![", 235_175),
    ("", "*a", 175_176),
    ("", "**a", 173_510),
    ("", "[a]", 180_181),
    ("", "&", 180_181),
    ("", "\\", 75_172),
    ("", "[\n", 570_116),
    ("", "<a\n", 440_152),
    ("", "a\n- ", 580_111),
    ("", "> \n", 36_759),
    ("", "```\n", 63_792),
    ("", "[a](<", 160_182),
]


@pytest.mark.parametrize(
    ("prefix", "unit", "measured"), WORST_INPUTS, ids=[repr(p + u) for p, u, _ in WORST_INPUTS]
)
def test_rendering_the_worst_inputs_grows_linearly_with_their_length(prefix, unit, measured):
    quarter, half, full = (calls_to_render(make_input(unit, n, prefix)) for n in (2_500, 5_000, 10_000))
    assert half <= 2.5 * quarter
    assert full <= 5 * quarter
    assert full <= 3 * measured


def test_the_work_counter_sees_quadratic_work(monkeypatch):
    """The counter itself: a renderer doing work for each pair of characters fails the linear check."""

    def quadratic(text):
        return "".join(str(a == b) for a in text for b in text[: len(text) // 50])

    monkeypatch.setattr(markdown, "render", quadratic)
    assert calls_to_render("[" * 10_000) > 5 * calls_to_render("[" * 2_500)


def test_a_comment_at_the_cap_made_of_the_worst_input_posts_and_renders(commenter, version):
    body = make_input("[a](", MAX_BODY_LENGTH)
    response = client_for(commenter).post(new_url(version), comment_form(body))
    assert response.status_code == 302
    assert Comment.objects.get().body == body
    assert client_for(commenter).get(clause_url(version)).status_code == 200
