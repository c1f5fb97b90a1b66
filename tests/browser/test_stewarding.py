from django.core.management import call_command

from tests.conftest import make_user

PASSWORD = "a long steward passphrase"


def test_a_steward_drafts_edits_previews_and_publishes_and_a_reader_sees_it(
    page, browser, live_server, transactional_db
):
    call_command("load_demo")
    make_user(groups=["Stewards"], email="browser-steward@example.org", password=PASSWORD)

    page.goto("/stewards/")
    page.wait_for_url("**/accounts/login/**")
    page.get_by_label("Email").fill("browser-steward@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/stewards/")

    page.get_by_label("Label of the new version").fill("1.1")
    page.get_by_role("button", name="Start a draft").click()
    page.wait_for_url("**/stewards/open-recipe/draft/")
    assert "Draft 1.1" in page.locator("h1").inner_text()

    page.get_by_role("link", name="Edit Purpose").click()
    body = page.get_by_label("Text (Markdown)")
    body.fill(
        "Cooks have always shared recipes. This definition lists the freedoms an **open** recipe grants."
    )
    page.get_by_role("button", name="Preview").click()
    assert page.locator("#preview_output strong").inner_text() == "open"
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/stewards/open-recipe/draft/#purpose")
    assert page.locator("#purpose .badge").inner_text().lower() == "changed"

    page.get_by_role("link", name="Preview the changes from 1.0").click()
    page.wait_for_url("**/open-recipe/compare/1.0...1.1/")
    inserted = [text.strip() for text in page.locator("#purpose ins").all_inner_texts()]
    assert "lists" in inserted and "an open" in inserted  # the words a reader sees, not the Markdown

    page.goto("/stewards/open-recipe/draft/publish/")
    page.get_by_label("Release notes (Markdown)").fill("Shorter purpose.")
    page.get_by_role("button", name="Publish version 1.1").click()
    page.wait_for_url("**/open-recipe/1.1/")
    assert "Version 1.1 is published" in page.locator(".messages").inner_text()

    reader = browser.new_context(base_url=live_server.url, java_script_enabled=False).new_page()
    reader.goto("/open-recipe/")
    assert "Version 1.1, published" in reader.locator(".version-meta").inner_text()
    assert "Shorter purpose." in reader.locator(".release-notes").inner_text()
    reader.get_by_role("link", name="What changed since 1.0", exact=True).click()
    reader.wait_for_url("**/open-recipe/compare/1.0...1.1/")
    assert reader.locator("#purpose .badge").inner_text().lower() == "changed"
    assert reader.locator("#purpose del").count() > 0
    reader.context.close()
