"""Link previews and citations (issue 6): every public page has a title, a description, a
canonical link and Open Graph / Twitter card tags; a clause and a comment each offer ready-to-paste
citations in plain text, Markdown and BibTeX."""

import html
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.models import Profile
from comments.models import Comment
from moderation import actions
from tests.conftest import make_definition, make_user

BASE = "http://testserver"


class Head(HTMLParser):
    """The link-preview parts of a page, with attribute values unescaped as a browser reads them."""

    def __init__(self):
        super().__init__()
        self.title = ""
        self.meta: dict[str, str] = {}
        self.canonical: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "title":
            self._in_title = True
        elif tag == "meta" and ("name" in attrs or "property" in attrs):
            self.meta[attrs.get("name") or attrs["property"]] = attrs.get("content", "")
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse_head(page_html: str) -> Head:
    head = Head()
    head.feed(page_html.split("</head>", 1)[0])
    return head


def head_of(client, url) -> Head:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return parse_head(response.content.decode())


def textarea(page_html: str, field_id: str) -> str:
    match = re.search(rf'<textarea id="{field_id}"[^>]*>(.*?)</textarea>', page_html, re.S)
    assert match, f"no textarea #{field_id}"
    return html.unescape(match.group(1))


def has_label(page_html: str, field_id: str) -> bool:
    return re.search(rf'<label for="{field_id}">[^<]+</label>', page_html) is not None


def local_date(moment, fmt="j F Y") -> str:
    return dateformat.format(timezone.localtime(moment), fmt)


def make_comment(author, version, key="scope", body="A comment.", **fields) -> Comment:
    comment = Comment.objects.create(
        clause=version.definition.clauses.get(key=key), version=version, author=author, body=body, **fields
    )
    Comment.objects.filter(pk=comment.pk).update(root=comment)
    comment.root_id = comment.pk
    return comment


@pytest.fixture
def author(db):
    person = make_user()
    Profile.objects.filter(user=person).update(display_name="Ada Gardener")
    return person


@pytest.fixture
def comment(demo_definition, author):
    return make_comment(
        author, demo_definition.versions.get(label="1.0"), "members", body="Who may **join**?"
    )


def public_pages(comment) -> dict[str, str]:
    """Every kind of public page, by name."""
    return {
        "home": reverse("definition:home"),
        "version": reverse("definition:version", args=["charter", "1.0"]),
        "latest version": reverse("definition:latest", args=["charter"]),
        "clause": reverse("definition:clause", args=["charter", "1.0", "scope"]),
        "compare": reverse("definition:compare", args=["charter", ("0.1", "1.0")]),
        "history": reverse("definition:clause_history", args=["charter", "scope"]),
        "changes": reverse("record:changes", args=["charter", "1.0"]),
        "dispositions report": reverse("record:dispositions", args=["charter", "1.0"]),
        "person": reverse("person", args=[comment.author_id]),
        "comment cite page": reverse("comments:cite", args=[comment.pk]),
        "search": reverse("search") + "?q=gardens",
    }


def test_every_public_page_has_a_title_description_canonical_link_and_card_tags(reader, comment):
    # A second definition, so the home page lists them rather than redirecting to the only one.
    make_definition(slug="other", title="Another Definition")
    for name, url in public_pages(comment).items():
        head = head_of(reader, url)
        assert head.title.strip(), name
        assert head.meta.get("description", "").strip(), name
        assert len(head.canonical) == 1 and head.canonical[0].startswith(BASE + "/"), name
        assert head.meta.get("og:title", "").strip(), name
        assert head.meta.get("og:description", "").strip(), name
        assert head.meta.get("og:url", "").startswith(BASE + "/"), name
        assert head.meta.get("twitter:card") in ("summary", "summary_large_image"), name


def test_the_card_title_is_the_page_title_without_the_site_name(reader, comment):
    head = head_of(reader, reverse("definition:compare", args=["charter", ("0.1", "1.0")]))
    assert head.title == "The Test Charter: 0.1 compared with 1.0 · Docket"
    assert head.meta["og:title"] == "The Test Charter: 0.1 compared with 1.0"
    assert head.meta["twitter:title"] == head.meta["og:title"]


def test_the_latest_address_names_the_permanent_version_address_as_canonical(reader, demo_definition):
    head = head_of(reader, reverse("definition:latest", args=["charter"]))
    assert head.canonical == [BASE + reverse("definition:version", args=["charter", "1.0"])]


def test_the_clause_page_description_names_the_definition_version_and_clause_and_quotes_its_text(reader, db):
    body = "Members meet on the first Monday of each month in the garden shed. " * 8
    make_definition(
        slug="charter", versions={"1.0": [("scope", "Scope", "Short."), ("meetings", "Meetings", body)]}
    )
    head = head_of(reader, reverse("definition:clause", args=["charter", "1.0", "meetings"]))
    description = head.meta["description"]
    assert description.startswith("The Test Charter, version 1.0, 2 Meetings: ")
    assert "Members meet on the first Monday of each month in the garden shed." in description
    assert description.endswith("…")
    assert len(description) <= 300
    assert head.meta["og:description"] == description
    assert head.title == "2 Meetings · The Test Charter 1.0 · Docket"
    assert head.canonical == [BASE + reverse("definition:clause", args=["charter", "1.0", "meetings"])]
    assert head.meta["og:type"] == "article"


def test_a_title_and_description_with_an_ampersand_are_escaped_once(reader, db):
    make_definition(
        slug="salt", title="Salt & Pepper", versions={"1.0": [("scope", "Scope & aims", "Salt & pepper.")]}
    )
    head = head_of(reader, reverse("definition:clause", args=["salt", "1.0", "scope"]))
    assert head.title == "1 Scope & aims · Salt & Pepper 1.0 · Docket"
    assert head.meta["description"] == "Salt & Pepper, version 1.0, 1 Scope & aims: Salt & pepper."


def test_the_clause_page_offers_both_copy_links(reader, demo_definition):
    page = reader.get(reverse("definition:clause", args=["charter", "0.2", "members"])).content.decode()
    assert f'value="{BASE}/charter/0.2/members/"' in page
    assert f'value="{BASE}{reverse("definition:latest_clause", args=["charter", "members"])}"' in page
    assert has_label(page, "permalink_input") and has_label(page, "latest_link_input")


def test_the_clause_citation_has_plain_text_markdown_and_bibtex_with_every_part(reader, demo_definition):
    version = demo_definition.versions.get(label="1.0")
    page = reader.get(reverse("definition:clause", args=["charter", "1.0", "members"])).content.decode()
    permalink = f"{BASE}/charter/1.0/members/"
    published = local_date(version.published_at)
    today = local_date(timezone.now())

    plain = textarea(page, "cite_plain")
    assert plain == (
        f"The Test Charter, version 1.0, 2 “Membership”. Published {published}. {permalink} (accessed {today})."
    )

    markdown = textarea(page, "cite_markdown")
    assert markdown.startswith(f"[The Test Charter 1.0, 2 “Membership”]({permalink})")
    assert f"published {published}" in markdown and f"accessed {today}" in markdown

    bibtex = textarea(page, "cite_bibtex")
    assert bibtex.startswith("@misc{charter:1.0:members,")
    assert "title = {2 Membership}" in bibtex
    assert "author = {The Test Charter}" in bibtex
    assert f"howpublished = {{\\url{{{permalink}}}}}" in bibtex
    assert f"note = {{Version 1.0. Accessed {local_date(timezone.now(), 'Y-m-d')}}}" in bibtex
    assert f"year = {{{local_date(version.published_at, 'Y')}}}" in bibtex
    assert f"month = {{{local_date(version.published_at, 'M').lower()}}}" in bibtex
    assert bibtex.rstrip().endswith("}")
    assert bibtex.count("{") == bibtex.count("}")


def test_the_clause_citation_fields_are_labelled(reader, demo_definition):
    page = reader.get(reverse("definition:clause", args=["charter", "1.0", "members"])).content.decode()
    for field_id in ("cite_plain", "cite_markdown", "cite_bibtex"):
        assert has_label(page, field_id), field_id
    assert page.count('data-copy="cite_') == 3


def test_the_citation_of_an_older_version_cites_that_version(reader, demo_definition):
    page = reader.get(reverse("definition:clause", args=["charter", "0.1", "fees"])).content.decode()
    plain = textarea(page, "cite_plain")
    assert plain.startswith("The Test Charter, version 0.1, 3 “Fees”.")
    assert f"{BASE}/charter/0.1/fees/" in plain


def test_the_comment_cite_page_has_plain_text_markdown_and_bibtex_with_every_part(reader, comment):
    page = reader.get(reverse("comments:cite", args=[comment.pk])).content.decode()
    permalink = BASE + reverse("comments:permalink", args=[comment.pk])
    created = local_date(comment.created_at)
    today = local_date(timezone.now())
    number = comment.tracking_number

    plain = textarea(page, "cite_plain")
    assert plain == (
        f"Ada Gardener, comment {number} on The Test Charter 1.0, 2 “Membership”. {created}. "
        f"{permalink} (accessed {today})."
    )
    markdown = textarea(page, "cite_markdown")
    assert markdown == (
        f"[Ada Gardener, comment {number} on The Test Charter 1.0]({permalink}) ({created}; accessed {today})"
    )
    bibtex = textarea(page, "cite_bibtex")
    assert bibtex.startswith(f"@misc{{{number.lower()},")
    assert "author = {Ada Gardener}" in bibtex
    assert f"title = {{Comment {number} on The Test Charter 1.0}}" in bibtex
    assert f"howpublished = {{\\url{{{permalink}}}}}" in bibtex
    assert f"year = {{{local_date(comment.created_at, 'Y')}}}" in bibtex
    assert f"note = {{Accessed {local_date(timezone.now(), 'Y-m-d')}}}" in bibtex
    assert f'value="{permalink}"' in page


def test_the_comment_cite_page_fields_are_labelled(reader, comment):
    page = reader.get(reverse("comments:cite", args=[comment.pk])).content.decode()
    for field_id in ("cite_link", "cite_plain", "cite_markdown", "cite_bibtex"):
        assert has_label(page, field_id), field_id


def test_the_comment_cite_page_description_quotes_the_comment(reader, comment):
    head = head_of(reader, reverse("comments:cite", args=[comment.pk]))
    assert head.meta["description"] == (
        f"Comment {comment.tracking_number} by Ada Gardener on The Test Charter 1.0: Who may join?"
    )
    assert head.canonical == [BASE + reverse("comments:cite", args=[comment.pk])]


def test_the_cite_page_of_a_hidden_comment_never_quotes_its_text(reader, comment):
    actions.hide(comment=comment, actor=make_user(groups=["Moderators"]), reason="Off-topic.")
    page = reader.get(reverse("comments:cite", args=[comment.pk])).content.decode()
    assert "Who may" not in page
    assert "hidden by a moderator" in parse_head(page).meta["description"]


def test_a_comment_on_a_draft_has_no_cite_page(reader, db, author):
    definition = make_definition(
        slug="secret", versions={"0.1": [("scope", "Scope", "Hush.")]}, publish=False
    )
    draft = definition.versions.get()
    hush = make_comment(author, draft, "scope", body="Draft talk.")
    assert reader.get(reverse("comments:cite", args=[hush.pk])).status_code == 404
