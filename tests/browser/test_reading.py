from django.core.management import call_command


def test_a_reader_opens_a_version_follows_a_clause_link_and_reads_the_clause(page, transactional_db):
    call_command("load_demo")
    page.goto("/")
    assert page.locator("h1").first.inner_text() == "The Open Recipe Definition"

    clause = page.locator("section#ingredients")
    assert "Ingredients and quantities" in clause.inner_text()
    page.get_by_role("link", name="3 Ingredients and quantities").last.click()

    page.wait_for_url("**/open-recipe/1.0/ingredients/")
    assert page.locator("h1").inner_text() == "3 Ingredients and quantities"
    assert "home cook can measure" in page.locator(".clause-body").first.inner_text()
    assert page.locator("#permalink_input").input_value().endswith("/open-recipe/1.0/ingredients/")
    # The copy button is an enhancement that JavaScript reveals.
    assert page.get_by_role("button", name="Copy link").first.is_visible()


def test_a_reader_without_javascript_compares_two_versions(page_without_js, transactional_db):
    call_command("load_demo")
    page = page_without_js
    page.goto("/open-recipe/compare/")
    page.select_option("#compare_a", "0.1")
    page.select_option("#compare_b", "0.2")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/open-recipe/compare/0.1...0.2/")
    assert page.locator("h1").inner_text() == "What changed from 0.1 to 0.2"
    assert page.locator("#commercial-kitchens .badge").inner_text().lower() == "removed"
    assert page.locator("#ingredients del").count() > 0
    assert not page.get_by_role("button", name="Copy link").count()
