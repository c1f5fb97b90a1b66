"""axe-core on every public page and every form, as the person who uses it.

Each page is its own test case. A violation of impact "serious" or "critical" fails it, with the
rule, its help text and the offending elements. Pages with JavaScript run it, so what the scripts
add (copy buttons, live previews, the quote button) is checked too. Feeds and exports that are not
HTML pages are left out. axe goes in through page.evaluate, which the site's Content Security
Policy does not govern, so these pages keep their CSP.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User

from definition import drafting
from definition.models import Definition, DraftImport
from tests.browser.conftest import DEMO_PEOPLE, sign_in
from tests.conftest import make_definition

BLOCKING = {"serious", "critical"}
DEMO_DIR = Path(__file__).resolve().parents[2] / "definition" / "demo"


def start_draft_with_an_import() -> dict:
    """Draft 1.1, and an uploaded file waiting for review (one renamed clause)."""
    steward = User.objects.get(email=DEMO_PEOPLE["steward"])
    draft = drafting.start_draft(
        definition=Definition.objects.get(slug="open-recipe"), label="1.1", by=steward
    )
    text = (DEMO_DIR / "1.0.md").read_text().replace("## Allergens", "## Allergens and intolerances")
    pending = DraftImport.objects.create(version=draft, uploaded_by=steward, filename="1.1.md", text=text)
    return {"pending_import": pending.pk}


def add_a_second_definition() -> dict:
    """With one definition, / redirects to it; with two it lists them."""
    make_definition(slug="charter", title="The Community Garden Charter")
    return {}


@dataclass(frozen=True)
class Page:
    path: str  # formatted with the ids of the `demo_site` fixture and of `setup`
    role: str | None = None  # None: not signed in
    setup: tuple[Callable[[], dict], ...] = (start_draft_with_an_import,)
    then: tuple = ()  # (label, text) pairs to fill and a button to press, for error states


PAGES = {
    # Reading: the addresses of DESIGN.md section 3 and the pages around them.
    "home": Page("/", setup=(add_a_second_definition,)),
    "definition": Page("/open-recipe/"),
    "version": Page("/open-recipe/1.0/"),
    "old version": Page("/open-recipe/0.1/"),
    "clause": Page("/open-recipe/1.0/ingredients/"),
    "clause with a hidden comment": Page("/open-recipe/1.0/freedom-to-share/"),
    "clause with comments from other channels": Page("/open-recipe/1.0/attribution/"),
    "clause, closed version": Page("/open-recipe/0.2/purpose/"),
    "compare form": Page("/open-recipe/compare/"),
    "compare": Page("/open-recipe/compare/0.1...1.0/"),
    "history": Page("/open-recipe/history/ingredients/"),
    "history of a removed clause": Page("/open-recipe/history/commercial-kitchens/"),
    "changes": Page("/open-recipe/0.2/changes/"),
    "disposition report": Page("/open-recipe/1.0/dispositions/"),
    "search": Page("/search/?q=recipe"),
    "search, nothing found": Page("/search/?q=zzzzqqq"),
    "print": Page("/exports/open-recipe/1.0/print/"),
    "people page": Page("/people/{priya}/"),
    "comment history": Page("/comments/{grams}/history/"),
    "comment citation": Page("/comments/{grams}/cite/"),
    "tracking lookup": Page("/comments/lookup/"),
    "tracking lookup, not found": Page("/comments/lookup/?number=DKT-999999"),
    "moderation log": Page("/moderation/log/"),
    "unsubscribe, bad link": Page("/comments/unsubscribe/not-a-token/"),
    "not found": Page("/no-such-definition/"),
    # Accounts.
    "sign in": Page("/accounts/login/"),
    "sign in, wrong password": Page(
        "/accounts/login/", then=(("Email", "nobody@example.org"), ("Password", "wrong"), "Sign In")
    ),
    "sign up": Page("/accounts/signup/"),
    "sign up, with errors": Page(
        "/accounts/signup/", then=(("Email", "not an email"), ("Password (again)", "x"), "Sign Up")
    ),
    "password reset": Page("/accounts/password/reset/"),
    "password reset sent": Page("/accounts/password/reset/done/"),
    "settings": Page("/accounts/profile/", role="commenter"),
    "email addresses": Page("/accounts/email/", role="commenter"),
    "change password": Page("/accounts/password/change/", role="commenter"),
    "sign out": Page("/accounts/logout/", role="commenter"),
    # Commenting.
    "clause, signed in": Page("/open-recipe/1.0/ingredients/", role="commenter"),
    "clause with own comment and a disposition": Page("/open-recipe/1.0/freedom-to-study/", role="commenter"),
    "comment form": Page("/comments/new/{v10}/ingredients/", role="commenter"),
    "comment form, with errors": Page(
        "/comments/new/{v10}/ingredients/",
        role="commenter",
        then=(("Your comment (Markdown)", ""), "Post comment"),
    ),
    "comment form, preview": Page(
        "/comments/new/{v10}/ingredients/",
        role="commenter",
        then=(("Your comment (Markdown)", "A *preview* of a comment."), "Preview"),
    ),
    "reply": Page("/comments/{grams}/reply/", role="commenter"),
    "edit": Page("/comments/{obvious}/edit/", role="commenter"),
    "withdraw": Page("/comments/{obvious}/withdraw/", role="commenter"),
    "flag": Page("/moderation/flag/{grams}/", role="commenter"),
    "your comments": Page("/people/{amara}/", role="commenter"),
    "forbidden": Page("/stewards/", role="commenter"),
    # Moderating.
    "moderation queue": Page("/moderation/", role="moderator"),
    "moderation, a comment": Page("/moderation/comments/{grams}/", role="moderator"),
    "moderation, a hidden comment": Page("/moderation/comments/{spam}/", role="moderator"),
    # Stewarding.
    "steward dashboard": Page("/stewards/", role="steward"),
    "steward dashboard, no draft": Page("/stewards/", role="steward", setup=()),
    "start a draft": Page("/stewards/open-recipe/draft/", role="steward", setup=()),
    "draft": Page("/stewards/open-recipe/draft/", role="steward"),
    "draft clause, as a steward": Page("/open-recipe/1.1/ingredients/", role="steward"),
    "edit a clause": Page("/stewards/open-recipe/draft/allergens/edit/", role="steward"),
    "edit a clause, preview": Page(
        "/stewards/open-recipe/draft/allergens/edit/",
        role="steward",
        then=(("Text (Markdown)", "Nuts, **gluten** and milk."), "Preview"),
    ),
    "add a clause": Page("/stewards/open-recipe/draft/add/", role="steward"),
    "add a clause, with errors": Page(
        "/stewards/open-recipe/draft/add/", role="steward", then=("Add the clause",)
    ),
    "remove a clause": Page("/stewards/open-recipe/draft/allergens/remove/", role="steward"),
    "discard the draft": Page("/stewards/open-recipe/draft/discard/", role="steward"),
    "import": Page("/stewards/open-recipe/draft/import/", role="steward"),
    "import review": Page("/stewards/open-recipe/draft/import/{pending_import}/", role="steward"),
    "publish": Page("/stewards/open-recipe/draft/publish/", role="steward"),
    "triage": Page("/stewards/open-recipe/1.0/triage/", role="steward"),
    "disposition form": Page("/stewards/comments/{grams}/disposition/", role="steward"),
    "comment from another channel": Page("/stewards/open-recipe/1.0/ingredients/external/", role="steward"),
}


def blocking_violations(page) -> list[dict]:
    results = Axe().run(page, options={"resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]"
        )
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
    return "\n".join(lines)


# axe only asks for a review ("incomplete") when aria-describedby or aria-labelledby names an id
# that is not on the page, in case a script adds it later; none of ours does, so it is a fault.
DANGLING_ARIA_REFERENCES = """() => [...document.querySelectorAll("[aria-describedby], [aria-labelledby]")]
    .flatMap(element => ["aria-describedby", "aria-labelledby"]
        .flatMap(name => (element.getAttribute(name) || "").split(/\\s+/).filter(Boolean)
            .filter(id => !document.getElementById(id))
            .map(id => `${element.outerHTML.slice(0, 120)}: ${name} names #${id}, which is not on the page`)))"""


@pytest.mark.parametrize("name", PAGES)
def test_the_page_has_no_serious_accessibility_violations(name, page, demo_site):
    spec = PAGES[name]
    ids = dict(demo_site)
    for step in spec.setup:
        ids |= step()
    if spec.role is not None:
        sign_in(page, spec.role)
    page.goto(spec.path.format(**ids))
    if spec.then:
        *fills, button = spec.then
        for label, text in fills:
            page.get_by_label(label).first.fill(text)
        # Let the server answer with its error messages, past the browser's own checks.
        page.evaluate("document.querySelectorAll('form').forEach(form => form.noValidate = true)")
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()
    assert page.locator("main").count() == 1, f"{name}: not one <main> at {page.url}"

    blocking = blocking_violations(page)
    assert not blocking, f"{name} ({page.url}):\n{describe(blocking)}"
    dangling = page.evaluate(DANGLING_ARIA_REFERENCES)
    assert not dangling, f"{name} ({page.url}):\n" + "\n".join(dangling)


def test_axe_reports_what_this_module_relies_on_it_to_find(page, demo_site):
    """The check can fail: a field without a label, an image without alt text and faint text."""
    page.goto("/open-recipe/1.0/")
    assert blocking_violations(page) == []
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.append(document.createElement("input"));
            const image = document.createElement("img");
            image.src = "/static/favicon.svg";
            main.append(image);
            const faint = document.createElement("p");
            faint.textContent = "Barely there";
            faint.style.color = "#ddd";  // through the CSSOM, which the CSP allows
            main.append(faint);
        }"""
    )
    found = {(v["id"], v["impact"]) for v in blocking_violations(page)}
    assert {("label", "critical"), ("image-alt", "critical"), ("color-contrast", "serious")} <= found, found


def test_the_clause_page_with_the_quote_button_and_live_preview_showing_has_none_either(page, demo_site):
    sign_in(page, "commenter", "/open-recipe/1.0/ingredients/")
    page.evaluate(
        """() => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector("#clause_text p"));
            document.getSelection().removeAllRanges();
            document.getSelection().addRange(range);
        }"""
    )
    page.get_by_role("button", name="Comment on this").click()
    page.get_by_label("Your comment (Markdown)").fill("Grams **and** cups.")
    page.locator("#comment-form .live-preview strong").wait_for()

    blocking = blocking_violations(page)
    assert not blocking, describe(blocking)
