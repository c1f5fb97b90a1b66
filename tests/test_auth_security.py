"""Accounts on the public internet (issue 7, item 8): the session changes at login, nobody learns
which addresses have accounts, the admin login is throttled like any other, rate limits count in
the shared cache so they hold across workers, and per-address limits see the real client behind
our one proxy without believing what the client says about itself.

The Redis tests use TEST_REDIS_URL (default redis://127.0.0.1:6379/15) with a key prefix of their
own. Without Redis they skip, except under CI (the CI variable set), where they fail.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle

from comments import actions
from comments.models import Comment
from tests.conftest import make_user
from tests.test_accounts import PASSWORD, emails_to, is_logged_in, log_in, sign_up
from tests.test_comment_limits import comment_form, new_url
from tests.test_settings import REPO_ROOT, SETTINGS_VARIABLES

PROXY = "10.0.0.2"  # the address every request arrives from when the proxy forwards it
TOO_MANY = "Too many failed login attempts"


def visible_text(response, *addresses: str) -> str:
    """A page's words without markup, CSRF tokens or the addresses the visitor typed."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    for address in addresses:
        text = text.replace(address, "ADDRESS")
    return text


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def plant_session(client: Client) -> str:
    """A session the visitor holds before logging in, as one fixed on them by someone else would be."""
    session = client.session
    session["planted"] = True
    session.save()
    return session.session_key


def holder_of(key: str) -> Client:
    """Someone else who kept a copy of a session cookie."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


# The session changes at login


def test_logging_in_gives_the_visitor_a_new_session_key(db):
    make_user(email="grace@example.org", password=PASSWORD)
    client = Client()
    planted = plant_session(client)
    assert log_in(client, "grace@example.org").status_code == 302
    assert is_logged_in(client)
    assert session_key(client) != planted
    assert client.session["planted"] is True  # the visitor's session data is carried over
    # Whoever kept the old key is not signed in by the visitor's login.
    assert holder_of(planted).get(reverse("accounts:settings")).status_code == 302


def test_logging_in_to_the_admin_gives_a_new_session_key(db):
    make_user(email="root@example.org", password=PASSWORD, superuser=True)
    client = Client()
    planted = plant_session(client)
    way_in = client.get(reverse("admin:index"), follow=True)
    login_page = way_in.redirect_chain[-1][0]
    response = client.post(login_page, {"login": "root@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200
    assert session_key(client) != planted
    assert holder_of(planted).get(reverse("admin:index")).status_code == 302


# Nobody learns which addresses have accounts


def test_accounts_are_not_enumerable_by_configuration():
    from allauth.account import app_settings

    assert app_settings.PREVENT_ENUMERATION is True


def test_signing_up_with_a_taken_address_looks_like_signing_up_with_a_new_one(db):
    owner = make_user(email="taken@example.org")
    taken, new = Client(), Client()
    response_taken = sign_up(taken, "taken@example.org")
    response_new = sign_up(new, "fresh@example.org")
    assert response_taken.status_code == response_new.status_code == 302
    assert response_taken["Location"] == response_new["Location"]
    page_taken = taken.get(response_taken["Location"])
    page_new = new.get(response_new["Location"])
    assert page_taken.status_code == page_new.status_code == 200
    assert visible_text(page_taken, "taken@example.org") == visible_text(page_new, "fresh@example.org")
    assert "already" not in visible_text(page_taken).lower()
    # The owner of the address hears about it by email; no second account is made.
    assert len(emails_to("taken@example.org")) == 1
    assert len(emails_to("fresh@example.org")) == 1
    assert type(owner).objects.filter(email__iexact="taken@example.org").count() == 1
    assert not is_logged_in(taken)


def test_a_password_reset_for_an_unknown_address_looks_like_one_for_a_known_address(db):
    make_user(email="known@example.org")
    known, unknown = Client(), Client()
    response_known = known.post(reverse("account_reset_password"), {"email": "known@example.org"})
    response_unknown = unknown.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response_known.status_code == response_unknown.status_code == 302
    assert response_known["Location"] == response_unknown["Location"]
    page_known = known.get(response_known["Location"])
    page_unknown = unknown.get(response_unknown["Location"])
    assert page_known.status_code == page_unknown.status_code == 200
    assert visible_text(page_known, "known@example.org") == visible_text(page_unknown, "nobody@example.org")
    # Each address gets one email: a reset link for the account, a note for the stranger.
    assert "/password/reset/key/" in emails_to("known@example.org")[0].body
    assert len(emails_to("nobody@example.org")) == 1
    assert "/password/reset/key/" not in emails_to("nobody@example.org")[0].body


def test_a_failed_login_says_the_same_for_an_unknown_address_as_for_a_wrong_password(db):
    make_user(email="known@example.org", password=PASSWORD)
    wrong_password = Client().post(
        reverse("account_login"), {"login": "known@example.org", "password": "not it"}
    )
    unknown = Client().post(reverse("account_login"), {"login": "nobody@example.org", "password": "not it"})
    assert wrong_password.status_code == unknown.status_code == 200
    assert visible_text(wrong_password, "known@example.org") == visible_text(unknown, "nobody@example.org")


# The admin login is throttled like any other


def test_the_admin_login_page_sends_people_to_the_sites_login(db):
    response = Client().get(reverse("admin:login"), {"next": reverse("admin:index")})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"


def test_a_password_posted_to_the_admin_login_signs_no_one_in(db):
    """Not even the right one: only the site's login, with its limits, signs people in."""
    admin = make_user(email="root@example.org", password=PASSWORD, superuser=True)
    for login in (admin.username, admin.email):
        client = Client()
        response = client.post(reverse("admin:login"), {"username": login, "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert not is_logged_in(client)


def test_after_failed_logins_the_way_into_the_admin_refuses_even_the_right_password(db):
    admin = make_user(email="root@example.org", password=PASSWORD, superuser=True)
    client = Client()
    login_page = client.get(reverse("admin:login"), follow=True).redirect_chain[-1][0]
    for _ in range(5):
        client.post(login_page, {"login": admin.email, "password": "a guess"})
    refused = client.post(login_page, {"login": admin.email, "password": PASSWORD})
    assert TOO_MANY in refused.content.decode()
    direct = client.post(reverse("admin:login"), {"username": admin.username, "password": PASSWORD})
    assert not is_logged_in(client)
    assert direct.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 302


def test_a_signed_in_person_who_is_not_staff_is_refused_at_the_admin_login(commenter):
    client = Client()
    client.force_login(commenter)
    assert client.get(reverse("admin:login")).status_code == 403


def test_a_new_superuser_verifies_their_address_before_reaching_the_admin(db):
    """createsuperuser makes no verified address; the site's login asks for one, by email."""
    admin = make_user(email="root@example.org", password=PASSWORD, superuser=True, verified=False)
    client = Client()
    login_page = client.get(reverse("admin:index"), follow=True).redirect_chain[-1][0]
    response = client.post(login_page, {"login": admin.email, "password": PASSWORD})
    assert not is_logged_in(client)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "/confirm-email/" in emails_to("root@example.org")[-1].body


# The client's address behind our one proxy


def forwarded(client_address: str, claimed: str | None = None) -> dict:
    """What our proxy passes on: whatever X-Forwarded-For the client sent, plus the address it saw."""
    chain = f"{claimed}, {client_address}" if claimed else client_address
    return {"REMOTE_ADDR": PROXY, "headers": {"X-Forwarded-For": chain}}


@pytest.mark.parametrize(
    ("chain", "client_address"),
    [("203.0.113.7", "203.0.113.7"), ("198.51.100.1, 203.0.113.7", "203.0.113.7"), (None, PROXY)],
)
def test_allauth_and_the_api_read_the_address_our_proxy_appended(chain, client_address):
    headers = {"X-Forwarded-For": chain} if chain else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, headers=headers)
    assert get_adapter().get_client_ip(request) == client_address
    assert AnonRateThrottle().get_ident(request) == client_address


def test_allauths_failed_login_limit_counts_per_client_behind_the_proxy_whatever_it_claims(db):
    make_user(email="grace@example.org", password=PASSWORD)
    attacker = Client()
    for number in range(10):  # the per-address limit: 10 a minute, each on another account
        attacker.post(
            reverse("account_login"),
            {"login": f"guess{number}@example.org", "password": "a guess"},
            **forwarded("203.0.113.7", claimed=f"198.51.100.{number}"),
        )
    refused = attacker.post(
        reverse("account_login"),
        {"login": "grace@example.org", "password": PASSWORD},
        **forwarded("203.0.113.7", claimed="198.51.100.200"),
    )
    assert TOO_MANY in refused.content.decode()
    assert not is_logged_in(attacker)
    # Someone else behind the same proxy is not locked out with the attacker.
    grace = Client()
    response = grace.post(
        reverse("account_login"),
        {"login": "grace@example.org", "password": PASSWORD},
        **forwarded("192.0.2.44"),
    )
    assert response.status_code == 302
    assert is_logged_in(grace)


def test_the_api_throttle_counts_per_client_behind_the_proxy_whatever_it_claims(db, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    url = reverse("api:definition-list")
    client = Client()
    for number in range(3):
        response = client.get(url, **forwarded("203.0.113.7", claimed=f"198.51.100.{number}"))
        assert response.status_code == 200
    assert client.get(url, **forwarded("203.0.113.7", claimed="198.51.100.99")).status_code == 429
    assert client.get(url, **forwarded("192.0.2.44")).status_code == 200


PRODUCTION = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "docket.example.org",
    "DATABASE_URL": "postgres://u:p@db:5432/docket",
    "EMAIL_HOST": "console",
    "SITE_URL": "https://docket.example.org",
}


def run_settings(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` after importing docket.settings in a fresh interpreter with only the given variables."""
    clean = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    clean |= {"DJANGO_SETTINGS_MODULE": "docket.settings", "DOCKET_NO_DOTENV": "1", **env}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=REPO_ROOT, env=clean, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def proxy_counts(**env: str) -> list:
    """What allauth and the API are told about proxies, as [allauth's count, DRF's NUM_PROXIES]."""
    result = run_settings(
        "import json; from django.conf import settings; "
        "print(json.dumps([settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.REST_FRAMEWORK['NUM_PROXIES']]))",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_trusts_one_proxy_by_default():
    assert proxy_counts(**PRODUCTION) == [1, 1]


def test_local_development_trusts_no_proxy_by_default():
    assert proxy_counts(DEBUG="1") == [0, 0]


def test_the_number_of_proxies_is_set_by_trusted_proxy_count():
    assert proxy_counts(**PRODUCTION, TRUSTED_PROXY_COUNT="2") == [2, 2]


@pytest.mark.parametrize("value", ["-1", "one"])
def test_a_malformed_trusted_proxy_count_fails_loudly(value):
    result = run_settings("", DEBUG="1", TRUSTED_PROXY_COUNT=value)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


# Comment rate limits hold across workers


class NetworkCache:
    """The cache, with every call taking a few milliseconds as over a network: time for another
    worker to act between one call and the next, so a limit that reads then writes lets too many
    through."""

    def __getattr__(self, name):
        call = getattr(default_cache, name)

        def slowly(*args, **kwargs):
            result = call(*args, **kwargs)
            time.sleep(0.005)
            return result

        return slowly


def established_person() -> SimpleNamespace:
    """What the rate limit reads of a person (no database needed, so threads can share it)."""
    return SimpleNamespace(pk=uuid.uuid4().int % 10**9, date_joined=timezone.now() - timedelta(days=30))


def post_at_once(person, attempts: int) -> list[bool]:
    """`attempts` workers (threads, each with its own cache connection) try to post at the same moment.

    Returns, per attempt, whether the rate limit let it through.
    """
    barrier = threading.Barrier(attempts)
    outcomes: list = [None] * attempts

    def worker(index):
        try:
            barrier.wait(timeout=10)
            actions.check_rate_limit(person)
            outcomes[index] = True
        except actions.CommentError as refused:
            outcomes[index] = refused.status
        except Exception as exc:  # the test shows what went wrong
            outcomes[index] = exc
        finally:
            caches.close_all()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(outcome is True or outcome == 429 for outcome in outcomes), outcomes
    return [outcome is True for outcome in outcomes]


def test_concurrent_posts_cannot_exceed_the_limit(monkeypatch):
    monkeypatch.setattr(actions, "cache", NetworkCache())
    limit = actions.RATE_LIMIT[0]
    let_through = post_at_once(established_person(), attempts=3 * limit)
    assert let_through.count(True) == limit


def test_workers_sharing_redis_cannot_exceed_the_limit_together(redis_cache, monkeypatch):
    monkeypatch.setattr(actions, "cache", NetworkCache())
    limit = actions.RATE_LIMIT[0]
    person = established_person()
    let_through = post_at_once(person, attempts=3 * limit)
    assert let_through.count(True) == limit
    # The count lives in Redis, where a worker started later sees it too.
    assert list(redis_cache.server.scan_iter(match=f"{redis_cache.prefix}:*comment-rate:{person.pk}:*"))
    assert post_at_once(person, attempts=1) == [False]


def test_a_new_account_is_held_to_its_limit_by_workers_sharing_redis(redis_cache, monkeypatch):
    monkeypatch.setattr(actions, "cache", NetworkCache())
    person = SimpleNamespace(pk=uuid.uuid4().int % 10**9, date_joined=timezone.now())
    let_through = post_at_once(person, attempts=4 * actions.NEW_ACCOUNT_RATE_LIMIT[0])
    assert let_through.count(True) == actions.NEW_ACCOUNT_RATE_LIMIT[0]


def test_posting_through_the_site_stops_at_the_limit_with_redis(redis_cache, commenter, demo_definition):
    version = demo_definition.versions.get(label="1.0")
    client = Client()
    client.force_login(commenter)
    limit = actions.NEW_ACCOUNT_RATE_LIMIT[0]
    for number in range(limit):
        assert client.post(new_url(version), comment_form(f"Comment {number}.")).status_code == 302
    assert client.post(new_url(version), comment_form("One too many.")).status_code == 429
    assert Comment.objects.count() == limit


def test_failed_logins_counted_by_one_worker_lock_out_another_with_redis(redis_cache, db):
    """Each request here gets a fresh cache connection, as one served by another process would."""
    make_user(email="grace@example.org", password=PASSWORD)
    client = Client()
    for _ in range(5):
        log_in(client, "grace@example.org", "a guess")
        caches.close_all()
        del caches["default"]
    assert list(redis_cache.server.scan_iter(match=f"{redis_cache.prefix}:*login_failed*"))
    refused = log_in(client, "grace@example.org")
    assert TOO_MANY in refused.content.decode()
    assert not is_logged_in(client)
