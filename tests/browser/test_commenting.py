"""Commenting from a real browser: sign up, verify, quote, post, reply, edit, with and without JavaScript."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command

from comments.models import Comment
from tests.conftest import make_user

CLAUSE_URL = "/open-recipe/1.0/ingredients/"
PASSAGE = "Secret ingredients are not allowed."
TRACKING = re.compile(r"DKT-\d+")
PASSWORD_LABEL = re.compile(r"^Password:?$")  # not "Password (again)"


@pytest.fixture
def demo(transactional_db):
    cache.clear()  # the posting rate limits live in the cache
    call_command("load_demo")


def demo_comment(*, author_email: str, key: str = "ingredients", label: str = "1.0") -> Comment:
    """A demo person's first comment on a clause: the one the demo data made before the test."""
    return Comment.objects.filter(author__email=author_email, clause__key=key, version__label=label).earliest(
        "pk"
    )


def comment_article(page, tracking_number: str):
    return page.locator(f"#comment-{int(tracking_number.removeprefix('DKT-'))}")


def own_meta(article):
    """The comment's own header, not its replies' headers."""
    return article.locator(":scope > header.comment-meta")


def tracking_number_in_message(page) -> str:
    message = page.locator(".messages").inner_text()
    assert "your comment is posted" in message
    match = TRACKING.search(message)
    assert match, message
    return match.group(0)


def sign_in(page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_a_newcomer_signs_up_verifies_quotes_posts_replies_and_edits(page, demo):
    email, password = "newcomer@example.net", "a long newcomer passphrase"

    # Sign up.
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name shown with your comments").fill("Nia Newcomer")
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")

    # Verify: the link is in the email.
    [verification] = [m for m in mail.outbox if email in m.to]
    link = re.search(r"https?://\S+?(/accounts/confirm-email/[^\s/]+/)", verification.body)
    assert link, verification.body
    page.goto(link.group(1))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(lambda url: "/accounts/confirm-email/" not in url)
    assert EmailAddress.objects.get(email=email).verified
    if "/accounts/login/" in page.url:  # allauth signs in on confirmation only in some flows
        sign_in(page, email, password)
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    # Quote a passage: select it in the clause, then "Comment on this".
    page.goto(CLAUSE_URL)
    assert page.get_by_role("button", name="Comment on this").is_hidden()
    page.evaluate(
        """(passage) => {
            const clause = document.getElementById("clause_text");
            const walker = document.createTreeWalker(clause, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode()) && !node.data.includes(passage)) {}
            const start = node.data.indexOf(passage);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + passage.length);
            const selection = document.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            document.dispatchEvent(new Event("selectionchange"));
        }""",
        PASSAGE,
    )
    page.get_by_role("button", name="Comment on this").click()
    form = page.locator("#comment-form")
    quote = form.get_by_label("Passage you are commenting on (optional)")
    assert quote.input_value() == PASSAGE
    body = form.get_by_label("Your comment (Markdown)")
    assert body.evaluate("element => element === document.activeElement")

    # Write, with the live preview.
    body.fill("Secret ingredients should be **named** as well, even if not measured.")
    preview = form.locator(".live-preview")
    preview.wait_for(state="visible")
    assert preview.locator(".preview-output strong").inner_text() == "named"
    form.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"/open-recipe/1\.0/ingredients/#comment-\d+$"))

    # The receipt: a tracking number; the comment with its quote; the passage highlighted.
    number = tracking_number_in_message(page)
    mine = comment_article(page, number)
    assert "Nia Newcomer" in own_meta(mine).inner_text()
    assert number in own_meta(mine).inner_text()
    assert mine.locator(".comment-quote").inner_text() == PASSAGE
    assert mine.locator(".comment-body strong").inner_text() == "named"
    marked = page.locator("#clause_text mark.quoted").all_inner_texts()
    assert any(PASSAGE.rstrip(".") in text for text in marked), marked

    # Reply to another person's comment, on its own page.
    priyas = demo_comment(author_email="priya@example.org")
    page.locator(f"#comment-{priyas.pk} > footer").get_by_role("link", name="Reply to Priya Raman").click()
    page.wait_for_url(f"**/comments/{priyas.pk}/reply/")
    assert page.locator("h1").inner_text() == "Reply to Priya Raman"
    page.get_by_label("Your comment (Markdown)").fill("Grams for baking, at least: flour is not a liquid.")
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url(re.compile(r"/open-recipe/1\.0/ingredients/#comment-\d+$"))
    reply_number = tracking_number_in_message(page)
    my_reply = page.locator(f"#comment-{priyas.pk} .replies").locator(
        f"#comment-{int(reply_number.removeprefix('DKT-'))}"
    )
    assert "flour is not a liquid" in my_reply.locator(".comment-body").inner_text()

    # Edit the first comment.
    comment_article(page, number).get_by_role("link", name=f"Edit your comment {number}").click()
    page.wait_for_url(f"**/comments/{int(number.removeprefix('DKT-'))}/edit/")
    edit_body = page.get_by_label("Your comment (Markdown)")
    assert "**named**" in edit_body.input_value()
    edit_body.fill("Secret ingredients should be **named**, even if not measured. Edited to be shorter.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/open-recipe/1\.0/ingredients/#comment-\d+$"))
    assert "Your comment is updated" in page.locator(".messages").inner_text()
    assert own_meta(mine).get_by_role("link", name="edited").is_visible()

    # All of it is still there after a reload.
    page.reload()
    mine = comment_article(page, number)
    assert "Edited to be shorter." in mine.locator(":scope > .comment-body").inner_text()
    assert own_meta(mine).get_by_role("link", name="edited").is_visible()
    assert mine.locator(":scope > .comment-quote").inner_text() == PASSAGE
    marked = page.locator("#clause_text mark.quoted").all_inner_texts()
    assert any(PASSAGE.rstrip(".") in text for text in marked), marked
    assert "flour is not a liquid" in comment_article(page, reply_number).inner_text()
    assert page.locator(".messages").count() == 0

    # The receipt came by email too.
    receipts = [m for m in mail.outbox if email in m.to and number in m.subject]
    assert len(receipts) == 1
    assert f"Tracking number: {number}" in receipts[0].body


def test_without_javascript_a_person_signs_in_quotes_previews_posts_and_replies(page_without_js, demo):
    page = page_without_js
    password = "a long no-script passphrase"
    make_user(email="nojs@example.org", password=password)

    page.goto(CLAUSE_URL)
    assert page.get_by_role("button", name="Comment on this").count() == 0
    page.locator(".comment-form-section").get_by_role("link", name="Sign in").click()
    page.wait_for_url("**/accounts/login/**")
    sign_in(page, "nojs@example.org", password)
    page.wait_for_url(f"**{CLAUSE_URL}")

    form = page.locator("#comment-form")
    form.get_by_label("Passage you are commenting on (optional)").press_sequentially(PASSAGE)
    form.get_by_label("Your comment (Markdown)").fill("Name them, but *quantities* can stay vague.")
    form.get_by_role("button", name="Preview").click()

    # The server renders the preview on the compose page, keeping what was written.
    page.wait_for_url("**/comments/new/**")
    preview = page.locator(".live-preview")
    assert preview.is_visible()
    assert preview.locator(".preview-output em").inner_text() == "quantities"
    assert page.get_by_label("Passage you are commenting on (optional)").input_value() == PASSAGE
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"/open-recipe/1\.0/ingredients/#comment-\d+$"))
    number = tracking_number_in_message(page)
    mine = comment_article(page, number)
    assert mine.locator(".comment-quote").inner_text() == PASSAGE

    # Reply to another person's comment.
    lars = demo_comment(author_email="lars@example.org")
    page.locator(f"#comment-{lars.pk} > footer").get_by_role("link", name="Reply to Lars Nilsson").click()
    page.wait_for_url(f"**/comments/{lars.pk}/reply/")
    page.get_by_label("Your comment (Markdown)").fill("A scale, yes, but not everyone has one.")
    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url(re.compile(r"/open-recipe/1\.0/ingredients/#comment-\d+$"))
    reply_number = tracking_number_in_message(page)

    page.reload()
    mine = comment_article(page, number)
    assert "quantities" in mine.locator(":scope > .comment-body").inner_text()
    assert mine.locator(":scope > .comment-quote").inner_text() == PASSAGE
    reply = page.locator(f"#comment-{lars.pk} .replies").locator(
        f"#comment-{int(reply_number.removeprefix('DKT-'))}"
    )
    assert "not everyone has one" in reply.locator(".comment-body").inner_text()
    assert Comment.objects.filter(author__email="nojs@example.org").count() == 2


def test_anonymous_people_see_a_prompt_and_closed_versions_show_threads_without_a_form(page, demo):
    page.goto(CLAUSE_URL)
    section = page.locator(".comment-form-section")
    assert "to comment" in section.inner_text()
    assert section.get_by_role("link", name="Sign in").is_visible()
    assert section.get_by_role("link", name="sign up").is_visible()
    assert page.locator("#comment-form").count() == 0
    assert page.get_by_role("link", name=re.compile(r"^Reply")).count() == 0
    assert page.locator(".comment").count() > 0  # the threads are there to read

    # Version 0.2 has its comments closed: even a verified person sees the threads but no form.
    make_user(email="late@example.org", password="a long late passphrase")
    section.get_by_role("link", name="Sign in").click()
    page.wait_for_url("**/accounts/login/**")
    sign_in(page, "late@example.org", "a long late passphrase")
    page.wait_for_url(f"**{CLAUSE_URL}")
    assert page.locator("#comment-form").is_visible()

    page.goto("/open-recipe/0.2/purpose/")
    assert "Understanding a dish matters" in page.locator(".threads").inner_text()
    assert "Comments on version 0.2 are closed" in page.locator(".comment-form-section").inner_text()
    assert page.locator("#comment-form").count() == 0
    assert page.get_by_role("link", name=re.compile(r"^Reply")).count() == 0
