"""Moderation and dispositions from real browsers, each person in their own browser context:
a comment is flagged and hidden, and readers see the reason; a steward marks a comment as having
driven a revision while drafting, publishes, and readers find it on "what changed and why", in the
disposition report and on the comment itself."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.conftest import make_user

CLAUSE_URL = "/open-recipe/1.0/allergens/"
TRACKING = re.compile(r"DKT-\d+")
PASSWORD = "a long moderation passphrase"
PASSWORD_LABEL = re.compile(r"^Password:?$")  # not "Password (again)"
HIDE_REASON = "A personal attack, not a comment on the text."
NEW_ALLERGENS = "The recipe must name the common allergens it contains, such as nuts, gluten, milk, eggs, sesame and mustard."


@pytest.fixture
def demo(transactional_db):
    cache.clear()  # the posting rate limits live in the cache
    call_command("load_demo")


@pytest.fixture
def person(browser, live_server):
    """A new browser context per person, so nobody shares a session; all closed at the end."""
    contexts = []

    def open_page(*, javascript: bool = True):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, email: str, next_url: str) -> None:
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"**{next_url}")


def post_comment(page, body: str) -> str:
    """Post a thread-starting comment on the clause page; returns its tracking number."""
    page.goto(CLAUSE_URL)
    form = page.locator("#comment-form")
    form.get_by_label("Your comment (Markdown)").fill(body)
    form.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"/open-recipe/1\.0/allergens/#comment-\d+$"))
    message = page.locator(".messages").inner_text()
    assert "your comment is posted" in message
    match = TRACKING.search(message)
    assert match, message
    return match.group(0)


def comment_article(page, number: str):
    return page.locator(f"#comment-{int(number.removeprefix('DKT-'))}")


def test_a_flagged_comment_is_hidden_by_a_moderator_and_readers_see_the_reason(demo, person):
    make_user(email="writer@example.net", password=PASSWORD)
    make_user(email="flagger@example.net", password=PASSWORD)
    make_user(email="mod@example.net", password=PASSWORD, groups=["Moderators"])

    # A commenter posts.
    writer = person()
    sign_in(writer, "writer@example.net", CLAUSE_URL)
    number = post_comment(writer, "Whoever wrote this clause has never cooked for anyone with an allergy.")

    # Another commenter flags it.
    flagger = person()
    sign_in(flagger, "flagger@example.net", CLAUSE_URL)
    comment_article(flagger, number).get_by_role("link", name=f"Flag comment {number}").click()
    flagger.wait_for_url(f"**/moderation/flag/{int(number.removeprefix('DKT-'))}/")
    assert number in flagger.locator("h1").inner_text()
    flagger.get_by_label("Abuse or harassment").check()
    flagger.get_by_label("Anything they should know (optional)").fill("Rude about the stewards.")
    flagger.get_by_role("button", name="Flag it").click()
    flagger.wait_for_url(re.compile(r"/open-recipe/1\.0/allergens/#comment-\d+$"))
    assert "moderators will look at it" in flagger.locator(".messages").inner_text()

    # A reader who is not signed in reads it while it is visible.
    reader = person(javascript=False)
    reader.goto(CLAUSE_URL)
    assert "never cooked" in comment_article(reader, number).locator(".comment-body").inner_text()

    # A moderator finds it in the queue, looks at it and hides it with a public reason.
    moderator = person()
    sign_in(moderator, "mod@example.net", "/moderation/")
    item = moderator.locator(".queue-item").filter(has_text=number)
    assert "Abuse or harassment" in item.locator(".flags").inner_text()
    assert "Rude about the stewards." in item.locator(".flags").inner_text()
    item.get_by_role("link", name=number, exact=True).click()
    moderator.wait_for_url(f"**/moderation/comments/{int(number.removeprefix('DKT-'))}/")
    assert moderator.locator("h1").inner_text() == f"Comment {number}"
    moderator.get_by_label("Public reason").fill(HIDE_REASON)
    moderator.get_by_role("button", name="Hide it").click()
    # Back to the same address: wait for the message the new page brings, not for the URL.
    moderator.locator(".messages").wait_for()
    moderator.wait_for_url(f"**/moderation/comments/{int(number.removeprefix('DKT-'))}/")
    assert "The comment is hidden" in moderator.locator(".messages").inner_text()
    assert moderator.get_by_role("button", name="Restore it").is_visible()

    # The reader reloads: the placeholder with the reason stands in for the text.
    reader.reload()
    hidden = comment_article(reader, number)
    placeholder = hidden.locator(".placeholder").inner_text()
    assert "hidden by a moderator" in placeholder
    assert HIDE_REASON in placeholder
    assert hidden.locator(".comment-body").count() == 0
    assert "never cooked" not in reader.locator(".threads").inner_text()

    # The public log says what was done, to which comment, and why, without naming the moderator.
    reader.goto("/moderation/log/")
    row = reader.locator("tbody tr").filter(has_text=number)
    assert row.count() == 1
    assert "A moderator hid a comment" in row.inner_text()
    assert HIDE_REASON in row.inner_text()
    assert "mod@example.net" not in reader.locator("main").inner_text()


def test_a_steward_marks_a_comment_that_drove_a_change_and_readers_find_it(demo, person):
    make_user(email="cook@example.net", password=PASSWORD)
    make_user(email="keeper@example.net", password=PASSWORD, groups=["Stewards"])

    # A commenter asks for a change to the clause.
    cook = person()
    sign_in(cook, "cook@example.net", CLAUSE_URL)
    number = post_comment(cook, "Sesame and mustard belong in the examples: they are common allergens.")
    pk = int(number.removeprefix("DKT-"))

    # A steward starts a draft from the dashboard.
    steward = person()
    sign_in(steward, "keeper@example.net", "/stewards/")
    steward.get_by_label("Label of the new version").fill("1.1")
    steward.get_by_role("button", name="Start a draft").click()
    steward.wait_for_url("**/stewards/open-recipe/draft/")

    # On the clause's edit page, the comment is listed as open: the steward marks it as the driver.
    steward.get_by_role("link", name="Edit Allergens").click()
    steward.wait_for_url("**/stewards/open-recipe/draft/allergens/edit/")
    open_comments = steward.locator("section.open-comments")
    entry = open_comments.locator("li").filter(has_text=number)
    entry.get_by_label(f"What {number} did for this change").select_option(label="Drove it")
    entry.get_by_role("button", name=f"Mark {number}").click()
    steward.locator(".messages").wait_for()  # the same address again: wait for the new page's message
    steward.wait_for_url("**/stewards/open-recipe/draft/allergens/edit/")
    assert f"Marked {number}" in steward.locator(".messages").inner_text()
    assert steward.get_by_label(f"What {number} did for this change").input_value() == "accepted"

    # ... and changes the text.
    steward.get_by_label("Text (Markdown)").fill(NEW_ALLERGENS)
    steward.get_by_role("button", name="Save").click()
    steward.wait_for_url("**/stewards/open-recipe/draft/#allergens")
    assert steward.locator("#allergens .badge").inner_text().lower() == "changed"

    # The publish page shows the comment under the changed clause, already chosen.
    steward.goto("/stewards/open-recipe/draft/publish/")
    clause = steward.locator(".drove-clause").filter(has_text="Allergens")
    assert "changed" in clause.locator(".badge").inner_text().lower()
    choice = clause.get_by_label(f"What {number} did for this change")
    assert choice.input_value() == "accepted"
    steward.get_by_label("Release notes (Markdown)").fill("Sesame and mustard join the allergen examples.")
    steward.get_by_role("button", name="Publish version 1.1").click()
    steward.wait_for_url("**/open-recipe/1.1/")
    assert "Version 1.1 is published" in steward.locator(".messages").inner_text()

    # A reader finds the change, its diff and the comment that drove it.
    reader = person(javascript=False)
    reader.goto("/open-recipe/1.1/changes/")
    row = reader.locator("li.compare-row#allergens")
    assert row.locator(".badge").inner_text().lower() == "changed"
    inserted = " ".join(row.locator("ins").all_inner_texts())
    assert "sesame" in inserted and "mustard" in inserted
    drivers = row.locator(".driven-by")
    assert drivers.get_by_role("link", name=number).is_visible()
    assert "accepted" in drivers.inner_text()

    # The disposition report for 1.0: accepted, addressed in 1.1.
    reader.goto("/open-recipe/1.0/dispositions/")
    report_row = reader.locator(f"tr#row-{pk}")
    assert report_row.locator("th").inner_text().strip() == number
    disposition = report_row.locator("td").nth(3).inner_text()
    assert "Accepted" in disposition and "in 1.1" in disposition

    # The comment itself carries the badge, linking to what changed.
    reader.goto(CLAUSE_URL)
    mine = comment_article(reader, number)
    badge = mine.locator(".disposition-badge")
    assert badge.text_content().strip() == "Accepted in 1.1"  # the stylesheet shows it in capitals
    mine.get_by_role("link", name="see what changed in 1.1").click()
    reader.wait_for_url("**/open-recipe/1.1/changes/")
