"""Real browser tests: Playwright driving the system's Chromium against Django's live server.

Without Chromium they skip with a message, unless REQUIRE_BROWSER=1 (as in CI), where a missing
browser is a failure.
"""

import io
import os
import re
import shutil

import pytest

BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    required = os.environ.get("REQUIRE_BROWSER", "") in {"1", "true", "yes"}
    if path is None:
        message = "Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH); browser tests need it."
        if required:
            pytest.fail(message + " REQUIRE_BROWSER is set, so this is a failure.", pytrace=False)
        pytest.skip(message)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("Playwright for Python is not installed.", pytrace=False)
        pytest.skip("Playwright for Python is not installed (pip install -e '.[test]').")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
    # up data are still plain synchronous calls, so Django's async-safety guard does not apply.
    # Set only while browsers run, so no other test (or subprocess) inherits it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, args=BROWSER_FLAGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


# Demo people who sign in during browser tests (the demo gives them no password with DEBUG off).
DEMO_PEOPLE = {
    "commenter": "amara@example.org",
    "steward": "steward@example.org",
    "moderator": "moderator@example.org",
}
DEMO_PASSWORD = "a long demo passphrase"
PASSWORD_LABEL = re.compile(r"^Password:?$")  # not "Password (again)"


@pytest.fixture
def demo_site(transactional_db):
    """The demo (`load_demo`), with a password for a commenter, the steward and the moderator; the
    ids that addresses need."""
    from django.contrib.auth.models import User
    from django.core.cache import cache
    from django.core.management import call_command

    from comments.models import Comment
    from definition.models import Version

    cache.clear()  # the posting rate limits live in the cache
    call_command("load_demo", stdout=io.StringIO())
    for email in DEMO_PEOPLE.values():
        person = User.objects.get(email=email)
        person.set_password(DEMO_PASSWORD)
        person.save()

    def first_comment(email, key):
        return Comment.objects.filter(author__email=email, clause__key=key, parent=None).earliest("pk").pk

    return {
        "v10": Version.objects.get(definition__slug="open-recipe", label="1.0").pk,
        "priya": User.objects.get(email="priya@example.org").pk,
        "amara": User.objects.get(email=DEMO_PEOPLE["commenter"]).pk,
        "grams": first_comment("priya@example.org", "ingredients"),  # a thread with replies
        "obvious": first_comment(DEMO_PEOPLE["commenter"], "freedom-to-study"),  # amara's own
        "spam": first_comment("knives@example.org", "freedom-to-share"),  # hidden by a moderator
    }


def sign_in(page, role: str, next_url: str = "/") -> None:
    """Sign a demo person in through the login form."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Email").fill(DEMO_PEOPLE[role])
    page.get_by_label(PASSWORD_LABEL).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
