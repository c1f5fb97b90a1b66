"""With JavaScript off: a commenter flags a comment, a moderator hides it, and a steward drafts,
previews, publishes. (Signing in, quoting, previewing, posting and replying with JavaScript off
are in test_commenting.py.)"""

import re

import pytest

from definition.models import ClauseText, Version
from moderation.models import Flag
from tests.browser.conftest import sign_in

NEW_ALLERGENS = (
    "The recipe must name the allergens it contains, such as nuts, gluten, milk, eggs and **sesame**."
)


@pytest.fixture
def person_without_js(browser, live_server):
    """A new browser context with JavaScript off per person; all closed at the end."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_without_javascript_a_comment_is_flagged_and_hidden_and_a_version_published(
    person_without_js, demo_site
):
    grams = demo_site["grams"]

    # A commenter flags Priya's comment from the clause page.
    commenter = person_without_js()
    sign_in(commenter, "commenter", "/open-recipe/1.0/ingredients/")
    assert commenter.get_by_role("button", name="Copy link").count() == 0  # a script would show it
    commenter.locator(f"#comment-{grams} > footer").get_by_role("link", name="Flag").click()
    commenter.wait_for_url(f"**/moderation/flag/{grams}/")
    commenter.get_by_label("Off-topic").check()
    commenter.get_by_label("Anything they should know (optional)").fill("About units, not this clause.")
    commenter.get_by_role("button", name="Flag it").click()
    commenter.wait_for_url(re.compile(rf"/open-recipe/1\.0/ingredients/#comment-{grams}$"))
    assert "moderators will look at it" in commenter.locator(".messages").inner_text()
    flag = Flag.objects.get(comment_id=grams)
    assert (flag.reporter.email, flag.reason, flag.note) == (
        "amara@example.org",
        "off-topic",
        "About units, not this clause.",
    )

    # A moderator finds it in the queue and hides it with a public reason.
    moderator = person_without_js()
    sign_in(moderator, "moderator", "/moderation/")
    item = moderator.locator(".queue-item").filter(has_text="About units, not this clause.")
    item.get_by_role("link", name=re.compile(r"^DKT-")).click()
    moderator.wait_for_url(f"**/moderation/comments/{grams}/")
    moderator.get_by_label("Public reason").fill("Off-topic here; see the clause on units.")
    moderator.get_by_role("button", name="Hide it").click()
    moderator.locator(".messages").wait_for()
    assert "The comment is hidden" in moderator.locator(".messages").inner_text()
    commenter.reload()
    assert "Off-topic here" in commenter.locator(f"#comment-{grams} .placeholder").first.inner_text()

    # A steward starts a draft, edits a clause with the server's preview, and publishes.
    steward = person_without_js()
    sign_in(steward, "steward", "/stewards/")
    steward.get_by_label("Label of the new version").fill("1.1")
    steward.get_by_role("button", name="Start a draft").click()
    steward.wait_for_url("**/stewards/open-recipe/draft/")
    steward.get_by_role("link", name="Edit Allergens").click()
    steward.wait_for_url("**/stewards/open-recipe/draft/allergens/edit/")
    steward.get_by_label("Text (Markdown)").fill(NEW_ALLERGENS)
    steward.get_by_role("button", name="Preview").click()
    assert steward.locator("#preview_output strong").inner_text() == "sesame"
    assert steward.get_by_label("Text (Markdown)").input_value() == NEW_ALLERGENS  # kept for the save
    steward.get_by_role("button", name="Save", exact=True).click()
    steward.wait_for_url("**/stewards/open-recipe/draft/#allergens")
    steward.get_by_role("link", name="Publish…").click()
    steward.wait_for_url("**/stewards/open-recipe/draft/publish/")
    steward.get_by_label("Release notes (Markdown)").fill("Sesame joins the allergens.")
    steward.get_by_role("button", name="Publish version 1.1").click()
    steward.wait_for_url("**/open-recipe/1.1/")
    assert "Version 1.1 is published" in steward.locator(".messages").inner_text()
    assert Version.objects.get(definition__slug="open-recipe", label="1.1").status == "published"
    assert (
        "<strong>sesame</strong>"
        in ClauseText.objects.get(version__label="1.1", clause__key="allergens").body_html
    )

    # Readers see it (JavaScript still off).
    commenter.goto("/open-recipe/")
    assert "Version 1.1, published" in commenter.locator(".version-meta").inner_text()
    assert commenter.locator("#allergens strong").inner_text() == "sesame"
