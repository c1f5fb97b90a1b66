import io
import xml.etree.ElementTree as ET

from django.core.management import call_command

ATOM = "{http://www.w3.org/2005/Atom}"


def test_a_journalist_cites_an_old_clause_follows_it_to_the_latest_version_and_opens_its_feed(
    page, live_server, transactional_db
):
    call_command("load_demo", stdout=io.StringIO())
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto("/open-recipe/0.2/ingredients/")
    assert page.locator("h1").inner_text() == "3 Ingredients and quantities"

    citation = page.locator("#cite_plain").input_value()
    assert citation.startswith("The Open Recipe Definition, version 0.2, 3 “Ingredients and quantities”.")
    assert f"{live_server.url}/open-recipe/0.2/ingredients/" in citation
    # The copy button is an enhancement that JavaScript reveals; it copies the citation as shown.
    copy = page.locator('button[data-copy="cite_plain"]')
    assert copy.is_visible()
    assert copy.inner_text() == "Copy citation"
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == citation

    page.get_by_role("link", name="Read this clause in the latest version").click()
    page.wait_for_url("**/open-recipe/1.0/ingredients/")
    assert page.locator("#permalink_input").input_value() == f"{live_server.url}/open-recipe/1.0/ingredients/"

    feed_link = page.locator('link[rel="alternate"][type="application/atom+xml"][title^="New comments on"]')
    href = feed_link.get_attribute("href")
    assert href == "/open-recipe/feed/comments/ingredients/"
    response = page.request.get(href)
    assert response.ok
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.body())
    assert feed.tag == f"{ATOM}feed"
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles
    assert all(" on ingredients " in title for title in titles)
