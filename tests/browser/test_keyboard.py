"""Commenting, replying, quoting and stewarding with the keyboard alone.

After the first page is opened, every step is a key press through page.keyboard: Tab (from the top
of the page, or from the skip link) to reach a control, typing, Enter or Space to use it. Each
control that Tab lands on must show the site's focus ring.
"""

import re
from urllib.parse import urlsplit

import pytest

from comments.models import Comment
from definition.models import ClauseText
from tests.browser.conftest import BROWSER_FLAGS, DEMO_PASSWORD, DEMO_PEOPLE, _chromium_path, sign_in

CLAUSE_URL = "/open-recipe/1.0/ingredients/"
PASSAGE = "Secret ingredients are not allowed."
BEFORE_PASSAGE = "in units a home cook can measure."
POSTED_URL = re.compile(r"/open-recipe/1\.0/ingredients/#comment-\d+$")

# The focused element, and whether it shows the site's focus ring (a solid outline of at least
# 2px; the browser's own thin ring does not count). Past the last control the focus leaves the
# page (the body has it) before Tab starts again from the top.
FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
        html: element.outerHTML.slice(0, 120),
        ring: element === document.body || (style.outlineStyle === "solid" && parseFloat(style.outlineWidth) >= 2),
    };
}"""


def tab_to(page, target, *, limit: int = 200) -> None:
    """Press Tab until `target` (a locator) has the focus, checking the focus ring on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["ring"], f"no visible focus on {focused['html']}"
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def posted_number(page) -> int:
    message = page.locator(".messages").inner_text()
    assert "your comment is posted" in message, message
    return int(re.search(r"DKT-0*(\d+)", message).group(1))


def test_a_person_signs_in_comments_with_a_pasted_quote_and_replies_by_keyboard(page, demo_site):
    page.goto(CLAUSE_URL)

    # The first Tab reaches the skip link, which shows itself; Enter jumps to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert is_focused(skip)
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    assert is_focused(page.locator("main"))

    # Sign in from the comment section's prompt, and come back to the clause.
    tab_to(page, page.locator(".comment-form-section").get_by_role("link", name="Sign in"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/login/**")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(DEMO_PEOPLE["commenter"])
    tab_to(page, page.locator("input[type=password]"))
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == CLAUSE_URL)

    # Comment, quoting a passage by typing it into the quote field.
    form = page.locator("#comment-form")
    tab_to(page, form.get_by_label("Passage you are commenting on (optional)"))
    page.keyboard.type(PASSAGE)
    tab_to(page, form.get_by_label("Your comment (Markdown)"))
    page.keyboard.type("Name them, even when the amount is a secret.")
    tab_to(page, form.get_by_role("button", name="Post comment"))
    page.keyboard.press("Enter")
    page.wait_for_url(POSTED_URL)
    number = posted_number(page)
    mine = Comment.objects.get(pk=number)
    assert (mine.author.email, mine.quote, mine.body) == (
        DEMO_PEOPLE["commenter"],
        PASSAGE,
        "Name them, even when the amount is a secret.",
    )

    # Reply to Priya's comment: its link, then the reply page's form, sent with Space.
    tab_to(page, page.locator(f"#comment-{demo_site['grams']} > footer").get_by_role("link", name="Reply"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/comments/{demo_site['grams']}/reply/")
    tab_to(page, page.get_by_label("Your comment (Markdown)"))
    page.keyboard.type("Grams, and cups where they help.")
    tab_to(page, page.get_by_role("button", name="Post reply"))
    page.keyboard.press("Space")
    page.wait_for_url(POSTED_URL)
    reply = Comment.objects.get(pk=posted_number(page))
    assert (reply.parent_id, reply.body) == (demo_site["grams"], "Grams, and cups where they help.")
    assert page.locator(f"#comment-{demo_site['grams']} .replies #comment-{reply.pk}").is_visible()


@pytest.fixture
def caret_browsing_page(browser, live_server):
    """A browser with caret browsing on (F7 in Chromium), the way a keyboard user selects text
    that is not in a form field; headless Chromium takes it only as a command-line switch."""
    caret_browser = browser.browser_type.launch(
        executable_path=_chromium_path(), args=[*BROWSER_FLAGS, "--enable-caret-browsing"]
    )
    page = caret_browser.new_context(base_url=live_server.url).new_page()
    yield page
    caret_browser.close()


TEXT_BEFORE_CARET = """() => {
    const selection = document.getSelection();
    const clause = document.getElementById("clause_text");
    if (!selection.rangeCount || !clause.contains(selection.focusNode)) return null;
    const range = document.createRange();
    range.setStart(clause, 0);
    range.setEnd(selection.focusNode, selection.focusOffset);
    return range.toString().replace(/\\s+/g, " ").trim();
}"""


def test_a_person_selects_a_passage_by_keyboard_and_comments_on_it(caret_browsing_page, demo_site):
    page = caret_browsing_page
    sign_in(page, "commenter", CLAUSE_URL)

    # Tab to the last link before the clause, then move the caret word by word to the passage.
    tab_to(page, page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="Version 1.0"))
    for _ in range(60):
        page.keyboard.press("Control+ArrowRight")
        if (page.evaluate(TEXT_BEFORE_CARET) or "").endswith(BEFORE_PASSAGE):
            break
    else:
        raise AssertionError("the caret never reached the passage")
    comment_on_this = page.get_by_role("button", name="Comment on this")
    assert comment_on_this.is_hidden()
    for _ in PASSAGE.split():
        page.keyboard.press("Shift+Control+ArrowRight")
    if not page.evaluate("String(document.getSelection())").endswith("."):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("String(document.getSelection())").strip() == PASSAGE

    # The selection brings the button; Enter puts the passage in the form and the focus in its text.
    tab_to(page, comment_on_this)
    page.keyboard.press("Enter")
    form = page.locator("#comment-form")
    assert form.get_by_label("Passage you are commenting on (optional)").input_value() == PASSAGE
    assert is_focused(form.get_by_label("Your comment (Markdown)"))
    page.keyboard.type("Allowed if the cook names them as secret.")
    tab_to(page, form.get_by_role("button", name="Post comment"))
    page.keyboard.press("Enter")
    page.wait_for_url(POSTED_URL)
    mine = Comment.objects.get(pk=posted_number(page))
    assert (mine.quote, mine.body) == (PASSAGE, "Allowed if the cook names them as secret.")
    assert page.locator(f"#comment-{mine.pk} .comment-quote").inner_text() == PASSAGE


def test_a_steward_drafts_edits_a_clause_and_publishes_by_keyboard(page, demo_site):
    sign_in(page, "steward", "/stewards/")

    # The dashboard's form: the label is filled in already; Enter starts the draft.
    tab_to(page, page.get_by_label("Label of the new version"))
    assert page.get_by_label("Label of the new version").input_value() == "1.1"
    page.keyboard.press("Enter")
    page.wait_for_url("**/stewards/open-recipe/draft/")

    tab_to(page, page.get_by_role("link", name="Edit Allergens"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/stewards/open-recipe/draft/allergens/edit/")
    tab_to(page, page.get_by_label("Text (Markdown)"))
    page.keyboard.press("Control+A")
    page.keyboard.type(
        "The recipe must name the allergens it contains, such as nuts, gluten, milk, eggs and sesame."
    )
    tab_to(page, page.get_by_role("button", name="Save", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url("**/stewards/open-recipe/draft/#allergens")

    tab_to(page, page.get_by_role("link", name="Publish…"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/stewards/open-recipe/draft/publish/")
    tab_to(page, page.get_by_label("Release notes (Markdown)"))
    page.keyboard.type("Sesame joins the allergens.")
    tab_to(page, page.get_by_role("button", name="Publish version 1.1"))
    page.keyboard.press("Space")
    page.wait_for_url("**/open-recipe/1.1/")
    assert "Version 1.1 is published" in page.locator(".messages").inner_text()
    published = ClauseText.objects.get(version__label="1.1", clause__key="allergens")
    assert published.body.endswith("milk, eggs and sesame.")
    assert published.version.status == "published"
