"""Accounts through django-allauth: sign up, verify, log in and out, reset a password, by email."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from .conftest import make_user

PASSWORD = "a long and unusual passphrase"
NEW_PASSWORD = "another long unusual passphrase"
_URL = re.compile(r"https?://[^\s<>\"']+")


def link_in_email(message, containing: str) -> str:
    """The path of the first link in an email's body whose path contains `containing`."""
    for url in _URL.findall(message.body):
        path = urlsplit(url).path
        if containing in path:
            return path
    raise AssertionError(f"no link containing {containing!r} in:\n{message.body}")


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def sign_up(client: Client, email: str, password: str = PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password, "display_name": "Ada Example"},
    )


def log_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def form_path(response, requested: str) -> str:
    """Where a followed GET ended up: the page whose form the next POST goes to."""
    return response.redirect_chain[-1][0] if response.redirect_chain else requested


def confirmation_path(email: str) -> str:
    return link_in_email(emails_to(email)[-1], "/confirm-email/")


# Signing up and verifying


def test_signing_up_sends_a_verification_email_with_a_confirmation_link(db):
    client = Client()
    response = sign_up(client, "ada@example.org")
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    messages = emails_to("ada@example.org")
    assert len(messages) == 1
    assert messages[0].subject.startswith("[Docket] ")
    assert confirmation_path("ada@example.org").startswith("/accounts/confirm-email/")
    user = get_user_model().objects.get(email="ada@example.org")
    assert EmailAddress.objects.get(user=user).verified is False


def test_signing_up_does_not_log_the_person_in_before_they_verify(db):
    client = Client()
    sign_up(client, "ada@example.org")
    assert not is_logged_in(client)


def test_an_unverified_person_cannot_log_in(db):
    sign_up(Client(), "ada@example.org")
    client = Client()
    response = log_in(client, "ada@example.org")
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not is_logged_in(client)


def test_the_confirmation_link_shows_a_confirm_page_without_confirming(db):
    sign_up(Client(), "ada@example.org")
    response = Client().get(confirmation_path("ada@example.org"))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert EmailAddress.objects.get(email="ada@example.org").verified is False


def test_confirming_by_post_verifies_the_address(db):
    sign_up(Client(), "ada@example.org")
    response = Client().post(confirmation_path("ada@example.org"))
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="ada@example.org").verified is True


def test_a_made_up_confirmation_link_verifies_nothing(db):
    sign_up(Client(), "ada@example.org")
    Client().post(reverse("account_confirm_email", args=["not-a-real-key"]))
    assert EmailAddress.objects.get(email="ada@example.org").verified is False


def test_the_whole_journey_sign_up_verify_log_in_log_out(db):
    sign_up(Client(), "ada@example.org")

    blocked = Client()
    log_in(blocked, "ada@example.org")
    assert not is_logged_in(blocked)

    confirm = Client()
    assert confirm.get(confirmation_path("ada@example.org")).status_code == 200
    confirm.post(confirmation_path("ada@example.org"))

    client = Client()
    response = log_in(client, "ada@example.org")
    assert response.status_code == 302
    assert is_logged_in(client)
    assert int(client.session["_auth_user_id"]) == get_user_model().objects.get(email="ada@example.org").pk

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not is_logged_in(client)


# Logging in and out


def test_a_verified_person_logs_in_by_email(db):
    user = make_user(email="grace@example.org", password=PASSWORD)
    client = Client()
    response = log_in(client, "grace@example.org")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_wrong_password_does_not_log_in(db):
    make_user(email="grace@example.org", password=PASSWORD)
    client = Client()
    response = log_in(client, "grace@example.org", "not the password")
    assert response.status_code == 200
    assert not is_logged_in(client)


def test_logout_by_get_does_not_log_out(db):
    make_user(email="grace@example.org", password=PASSWORD)
    client = Client()
    log_in(client, "grace@example.org")
    client.get(reverse("account_logout"))
    assert is_logged_in(client)


def test_logout_by_post_logs_out(db):
    make_user(email="grace@example.org", password=PASSWORD)
    client = Client()
    log_in(client, "grace@example.org")
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not is_logged_in(client)


# Resetting a password


def test_a_password_reset_email_leads_to_a_new_password(db):
    make_user(email="grace@example.org", password=PASSWORD)
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": "grace@example.org"})
    assert response.status_code == 302
    messages = emails_to("grace@example.org")
    assert len(messages) == 1
    reset_path = link_in_email(messages[0], "/password/reset/key/")

    # allauth moves the key from the address into the session, then shows the form.
    response = client.get(reset_path, follow=True)
    assert response.status_code == 200
    assert b'name="password1"' in response.content
    assert response.redirect_chain, "the key should leave the address before the form is shown"
    response = client.post(
        form_path(response, reset_path), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302

    with_old = Client()
    log_in(with_old, "grace@example.org", PASSWORD)
    assert not is_logged_in(with_old)
    with_new = Client()
    log_in(with_new, "grace@example.org", NEW_PASSWORD)
    assert is_logged_in(with_new)


def test_a_tampered_reset_link_does_not_change_the_password(db):
    make_user(email="grace@example.org", password=PASSWORD)
    client = Client()
    client.post(reverse("account_reset_password"), {"email": "grace@example.org"})
    reset_path = link_in_email(emails_to("grace@example.org")[0], "/password/reset/key/")
    tampered = reset_path.rstrip("/")[:-3] + "zzz/"
    assert tampered != reset_path
    response = client.get(tampered, follow=True)
    assert b'name="password1"' not in response.content
    client.post(form_path(response, tampered), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert get_user_model().objects.get(email="grace@example.org").check_password(PASSWORD)


def test_a_reset_for_an_unknown_address_sends_no_reset_link(db):
    Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    for message in emails_to("nobody@example.org"):
        assert "/password/reset/key/" not in message.body


# Groups and layout


def test_the_stewards_and_moderators_groups_exist_after_migrate(db):
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Stewards", "Moderators"} <= names


@pytest.mark.parametrize(
    "url_name",
    ["account_signup", "account_login", "account_reset_password", "account_email_verification_sent"],
)
def test_account_pages_render_inside_the_site_layout(db, url_name):
    response = Client().get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-name"' in html
    assert ">Docket</a>" in html
    assert 'href="#main_content"' in html
    assert 'id="main_content"' in html


def test_signed_in_account_pages_link_to_email_and_password_settings(db):
    client = Client()
    client.force_login(make_user())
    html = client.get(reverse("account_email")).content.decode()
    assert f'href="{reverse("account_change_password")}"' in html
    assert "Email addresses" in html
