"""Every HTML page carries the Content Security Policy and the other protective headers."""

import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


PAGES = [
    reverse("definition:home"),
    "/open-recipe/",
    "/open-recipe/1.0/",
    "/open-recipe/1.0/purpose/",
    "/open-recipe/compare/0.1...1.0/",
    "/open-recipe/history/purpose/",
    "/open-recipe/1.0/changes/",
    "/open-recipe/1.0/dispositions/",
    "/search/?q=recipe",
    "/moderation/log/",
    "/accounts/login/",
    "/accounts/signup/",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_strict_content_security_policy(client, demo, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]:
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", PAGES)
def test_no_page_has_inline_script_or_style(client, demo, path):
    html = client.get(path, follow=True).content.decode()
    assert "<script>" not in html and " style=" not in html
    assert "<style" not in html
