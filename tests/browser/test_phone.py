"""On a phone 360 pixels wide: no page scrolls sideways, the site's navigation is on screen, form
fields fit, and a comment can be posted."""

import re

import pytest

from tests.browser.conftest import sign_in

WIDTH, HEIGHT = 360, 740
LONG_URL = "https://example.org/" + "a-very-long-path-segment-without-any-break/" * 4 + "?q=" + "x" * 60
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenhersteller"
ROLE_LINKS = {"steward": "Stewards", "moderator": "Moderation"}

PAGES = {
    "home": ("/", None),
    "version": ("/open-recipe/1.0/", None),
    "clause with comments": ("/open-recipe/1.0/ingredients/", None),
    "clause with comments, signed in": ("/open-recipe/1.0/ingredients/", "commenter"),
    "compare": ("/open-recipe/compare/0.1...1.0/", None),
    "history": ("/open-recipe/history/ingredients/", None),
    "changes": ("/open-recipe/0.2/changes/", None),
    "disposition report": ("/open-recipe/1.0/dispositions/", None),
    "search": ("/search/?q=recipe", None),
    "search for a long word": (f"/search/?q={LONG_WORD}", None),
    "moderation log": ("/moderation/log/", None),
    "people page": ("/people/{priya}/", None),
    "sign in": ("/accounts/login/", None),
    "sign up": ("/accounts/signup/", None),
    "comment form": ("/comments/new/{v10}/ingredients/", "commenter"),
    "reply": ("/comments/{grams}/reply/", "commenter"),
    "flag": ("/moderation/flag/{grams}/", "commenter"),
    "settings": ("/accounts/profile/", "commenter"),
    "steward dashboard": ("/stewards/", "steward"),
    "triage": ("/stewards/open-recipe/1.0/triage/", "steward"),
    "disposition form": ("/stewards/comments/{grams}/disposition/", "steward"),
    "moderation queue": ("/moderation/", "moderator"),
    "moderation, a comment": ("/moderation/comments/{grams}/", "moderator"),
}

# What sticks out of the screen, elements or text, for the failure message (leaving out what is
# meant to: a table's own scrolling box, preformatted text, text hidden for screen readers).
OVERFLOWING = f"""() => {{
    const outside = box => box.width > 0 && (box.right > {WIDTH} + 0.5 || box.left < -0.5);
    const exempt = node => node.closest(".table-scroll, pre, .visually-hidden, .skip-link");
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node && found.length < 10; node = walker.nextNode()) {{
        const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
        if (exempt(element)) continue;
        let box;
        if (node.nodeType === Node.TEXT_NODE) {{
            const range = document.createRange();
            range.selectNodeContents(node);
            box = range.getBoundingClientRect();
        }} else {{
            box = node.getBoundingClientRect();
        }}
        if (outside(box)) {{
            const what = node.nodeType === Node.TEXT_NODE ? `text "${{node.data.trim().slice(0, 40)}}" in` : "";
            found.push(`${{what}} <${{element.tagName.toLowerCase()}} class="${{element.className}}">: ${{Math.round(box.left)}}..${{Math.round(box.right)}}`);
        }}
    }}
    return found;
}}"""


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def assert_fits_the_screen(page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= WIDTH, f"{page.url} is {scroll_width}px wide: {page.evaluate(OVERFLOWING)}"
    assert page.evaluate(OVERFLOWING) == []


def assert_on_screen(locator) -> None:
    assert locator.is_visible(), locator
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (locator, box)


@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_a_phone_screen(name, phone, demo_site):
    path, role = PAGES[name]
    if role is not None:
        sign_in(phone, role)
    phone.goto(path.format(**demo_site))
    assert phone.locator("main").count() == 1, phone.url

    assert_fits_the_screen(phone)

    # The site's navigation: home, search, and the account links.
    header = phone.locator("header.site-header")
    assert_on_screen(header.get_by_role("link", name="Docket"))
    assert_on_screen(header.get_by_role("searchbox"))
    assert_on_screen(header.get_by_role("button", name="Search"))
    account = header.get_by_role("navigation", name="Account")
    if role is None:
        assert_on_screen(account.get_by_role("link", name="Sign in"))
    else:
        assert_on_screen(account.get_by_role("link", name="Account"))
        assert_on_screen(account.get_by_role("button", name="Sign out"))
        if role in ROLE_LINKS:
            assert_on_screen(account.get_by_role("link", name=ROLE_LINKS[role]))

    # Every field a person types into is on screen, whole.
    fields = phone.locator(
        "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main textarea, main select"
    )
    for index in range(fields.count()):
        field = fields.nth(index)
        if field.is_visible() and not field.evaluate("element => !!element.closest('.table-scroll')"):
            assert_on_screen(field)


def test_a_comment_with_a_long_link_is_posted_and_read_on_a_phone(phone, demo_site):
    sign_in(phone, "commenter", "/open-recipe/1.0/ingredients/")
    phone.wait_for_url("**/open-recipe/1.0/ingredients/")

    form = phone.locator("#comment-form")
    body = form.get_by_label("Your comment (Markdown)")
    assert_on_screen(body)
    body.tap()
    body.fill(f"On a phone: see {LONG_URL} and the word {LONG_WORD}, which must wrap.")
    form.get_by_role("button", name="Post comment").tap()
    phone.wait_for_url(re.compile(r"/open-recipe/1\.0/ingredients/#comment-\d+$"))

    assert "your comment is posted" in phone.locator(".messages").inner_text()
    number = re.search(r"DKT-0*(\d+)", phone.locator(".messages").inner_text()).group(1)
    mine = phone.locator(f"#comment-{number}")
    assert LONG_WORD in mine.locator(".comment-body").inner_text()
    assert_on_screen(mine.locator(".comment-body"))
    assert_fits_the_screen(phone)
    assert "Amara Okafor" in mine.locator(":scope > header.comment-meta").inner_text()
