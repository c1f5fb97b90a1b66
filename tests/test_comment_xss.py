"""No executable content reaches a page through anything a person types (issue 4, sanitisation).

Every payload goes in through the real form of its field (comment body, quoted passage, "on behalf
of", endorsement note, display name and affiliation in settings and at sign-up), is checked to be
stored as typed, and every page that shows it is parsed and audited: no script but the site's own
`/static/` files, no `on*` attribute, no URL with a scheme other than http, https or mailto (after
removing whitespace and control characters, as browsers do), no iframe/object/embed/svg/math/style
element, no style attribute in the page's main content, and links in comments carry
rel="nofollow ugc".

The payloads: the project's own list below, and every payload of ../shared/corpus/xss (see its
README), one test per source so a failure says where the payload came from.
"""

import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from comments import actions
from comments.models import Comment, Endorsement
from definition.models import ClauseText
from docket import quotes
from tests.conftest import client_for, make_definition, make_user

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "xss"
CORPUS_FILES = [
    "IntrudersXSS.txt",
    "RSNAKE_XSS.txt",
    "XSS_Polyglots.txt",
    "xss_payloads_quick.txt",
    "markdown-it-xss-fixtures.txt",
]

OWN_PAYLOADS = [
    # Raw HTML
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "<form action=javascript:alert(1)><button>go</button></form>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="https://example.org/" onmouseover="alert(1)">x</a>',
    '<a href="&#1;javascript:alert(1)">x</a>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    # Markdown links with dangerous schemes
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](javascript://%0aalert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    '[x][ref]\n\n[ref]: https://example.org/ "t" onclick="alert(1)"',
    # Autolinks
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<data:text/html,alert(1)>",
    "<vbscript:msgbox(1)>",
    '<https://example.org/" onmouseover="alert(1)>',
    # Images
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](https://example.org/a.png)',
    '![x](https://example.org/a.png "t" onerror="alert(1)")',
    '![x](x" onerror="alert(1))',
    "[![x](javascript:alert(1))](javascript:alert(1))",
    # Attribute injection
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    '[x](https://example.org/" onmouseover="alert(1))',
    '[x](https://example.org/ "t" onmouseover="alert(1)")',
    '[x](https://example.org/ "\\" onmouseover=\\"alert(1)")',
    # Entities
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    # Nested Markdown and HTML
    "**<script>**alert(1)**</script>**",
    "*<img src=x onerror=alert(1)>*",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
    "- [x](javascript:alert(1))\n  - <img src=x onerror=alert(1)>",
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "[<img src=x onerror=alert(1)>](https://example.org/)",
    "<a href='[x](javascript:alert(1))'>y</a>",
    "# <svg onload=alert(1)>\n\n## [x](javascript:alert(1))",
    "~~<script>alert(1)</script>~~",
    "[a](https://example.org/)<img src=x onerror=alert(1)>",
    # Benign, so the audit sees real links too
    "[a safe link](https://example.org/page) and <https://example.com/> and <mailto:a@example.org>",
]


def _corpus_payloads(name: str) -> list[str]:
    text = (CORPUS / name).read_text(encoding="utf-8")
    if name != "markdown-it-xss-fixtures.txt":
        return [line for line in text.splitlines() if line.strip()]
    # Cases are: a description, ".", the input block, ".", markdown-it's output, ".".
    payloads, block, inside, part = [], [], False, 0
    for line in text.splitlines():
        if line == ".":
            if inside and part == 0:
                payloads.append("\n".join(block))
            if inside and part == 1:
                inside = False
            else:
                inside, part = True, (part + 1 if inside else 0)
            block = []
        elif inside:
            block.append(line)
    return [p for p in payloads if p.strip()]


SOURCES = ["own", *CORPUS_FILES]


def payloads_from(source: str) -> list[str]:
    if source == "own":
        return OWN_PAYLOADS
    if not CORPUS.is_dir():
        pytest.skip(f"the shared XSS corpus is not at {CORPUS}")
    return _corpus_payloads(source)


# The audit


SAFE_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "poster", "background", "data", "cite", "xlink:href",
    "srcset", "codebase", "dynsrc", "lowsrc", "ping",
}  # fmt: skip
FORBIDDEN_TAGS = {"iframe", "object", "embed", "svg", "math", "style", "frame", "frameset", "applet", "base"}
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def url_scheme(value: str) -> str:
    """A URL's scheme as a browser reads it: whitespace and control characters removed, lower-cased;
    "" for a relative URL."""
    match = _SCHEME.match(_IGNORED_IN_URLS.sub("", value).lower())
    return match.group(1) if match else ""


class PageAudit(HTMLParser):
    """Walks a page and lists everything executable in it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, set[str], str]] = []  # (tag, classes, id) of the open elements
        self.problems: list[str] = []
        self.comment_links = 0
        self.in_script = False

    def _inside(self, *, tag=None, css_class=None) -> bool:
        return any((tag and t == tag) or (css_class and css_class in classes) for t, classes, _ in self.stack)

    def _where(self) -> str:
        ids = [element_id for _, _, element_id in self.stack if element_id]
        comment_ids = [i for i in ids if i.startswith("comment-")]
        return f"in #{(comment_ids or ids or ['page'])[-1]}"

    def _problem(self, what: str):
        self.problems.append(f"{what} {self._where()}")

    def handle_starttag(self, tag, attrs):
        self._audit(tag, attrs)
        if tag not in VOID_TAGS:
            values = dict(attrs)
            self.stack.append((tag, set((values.get("class") or "").split()), values.get("id") or ""))

    def handle_startendtag(self, tag, attrs):
        self._audit(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if self.in_script and data.strip():
            self._problem(f"inline script {data[:60]!r}")

    def _audit(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            self.in_script = True
            if not values.get("src", "").startswith("/static/") or set(values) - {"src", "defer"}:
                self._problem(f"<script {attrs}>")
        if tag in FORBIDDEN_TAGS:
            self._problem(f"<{tag}> element")
        if tag == "meta" and "http-equiv" in values:
            self._problem(f"<meta http-equiv={values['http-equiv']!r}>")
        for name, value in values.items():
            if name.startswith("on"):
                self._problem(f"event attribute {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES:
                urls = (
                    [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                )
                for url in urls:
                    if url_scheme(url) not in SAFE_SCHEMES | {""}:
                        self._problem(f"{name}={value!r} on <{tag}>")
            if name == "style" and self._inside(tag="main"):
                self._problem(f"style={value!r} on <{tag}>")
        if tag == "a" and "href" in values and self._inside(css_class="comment-body"):
            self.comment_links += 1
            rel = set(values.get("rel", "").split())
            if not {"nofollow", "ugc"} <= rel:
                self._problem(f"link {values['href']!r} without rel nofollow ugc (rel={values.get('rel')!r})")


def audit(html: str) -> PageAudit:
    page = PageAudit()
    page.feed(html)
    page.close()
    return page


def assert_no_executable_content(response, typed: dict[str, str] | None = None, status=200) -> PageAudit:
    """`typed` maps an element id (comment-12) to what was typed there, for the failure message."""
    assert response.status_code == status, response.status_code
    page = audit(response.content.decode())
    if page.problems:
        typed = typed or {}
        lines = []
        for problem in page.problems:
            element_id = problem.rsplit("#", 1)[-1]
            lines.append(f"{problem}" + (f" (typed: {typed[element_id]!r})" if element_id in typed else ""))
        raise AssertionError(f"{response.request['PATH_INFO']}:\n" + "\n".join(lines))
    return page


# Fixtures and helpers


@pytest.fixture(autouse=True)
def fresh_cache():
    """The posting rate limit and allauth's limits count in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_posting_limit(monkeypatch):
    """These tests post hundreds of comments as one person; the rate limit is tested elsewhere."""
    # Off rather than raised: the limiter takes one of the limit's slots per post, so a huge
    # limit would make each post look through a huge number of slots.
    monkeypatch.setattr(actions, "check_rate_limit", lambda user: None)


def one_clause_version(slug="xss"):
    definition = make_definition(slug=slug, versions={"1.0": [("scope", "Scope", "What this covers.")]})
    return definition.versions.get(label="1.0")


def clause_url(version, key) -> str:
    return reverse("definition:clause", args=[version.definition.slug, version.label, key])


def every_page(client, url: str, page_key: str):
    """The responses for every page of a paginated list (`page_key` names the page in the context)."""
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    yield first
    for number in range(2, first.context[page_key].paginator.num_pages + 1):
        yield client.get(url, {"page": number})


def post_form(client, version, key, **fields):
    token = str(uuid.uuid4())
    data = {"body": "A comment.", "quote": "", "on_behalf_of": "", "token": token, "post": "1", **fields}
    response = client.post(reverse("comments:new", args=[version.pk, key]), data)
    return response, token


def post_directly(author, version, key, body="A comment."):
    clause_text = ClauseText.objects.select_related("version").get(version=version, clause__key=key)
    return actions.post_comment(author=author, clause_text=clause_text, body=body, token=uuid.uuid4()).comment


def page_text(response) -> str:
    return response.content.decode()


# The audit itself finds what it is meant to find


@pytest.mark.parametrize(
    "html",
    [
        "<main><script>alert(1)</script></main>",
        '<script src="https://evil.example/x.js"></script>',
        '<img src="x" onerror="alert(1)">',
        '<a href=" JaVa\tScRiPt:alert(1)">x</a>',
        '<a href="&#1;javascript:alert(1)">x</a>',
        '<img src="data:image/svg+xml,&lt;svg onload=alert(1)&gt;">',
        '<a href="vbscript:msgbox(1)">x</a>',
        "<svg></svg>",
        "<iframe></iframe>",
        "<object></object>",
        "<embed>",
        "<style>p{}</style>",
        '<main><p style="color:red">x</p></main>',
        '<meta http-equiv="refresh" content="0;url=https://example.org/">',
        '<div class="comment-body"><a href="https://example.org/">no rel</a></div>',
        '<div class="comment-body"><a href="https://example.org/" rel="nofollow">half a rel</a></div>',
    ],
)
def test_the_audit_finds_executable_content_in_known_bad_html(html):
    assert audit(html).problems


def test_the_audit_passes_the_sites_own_scripts_and_safe_links():
    page = audit(
        '<main><div class="comment-body"><a href="https://example.org/" rel="nofollow noopener ugc">x</a>'
        '<a href="mailto:a@example.org" rel="nofollow ugc">m</a></div><a href="/people/1/">me</a></main>'
        '<script src="/static/js/docket.js" defer></script>'
    )
    assert page.problems == []
    assert page.comment_links == 2


def test_the_payload_lists_are_not_empty():
    assert len(OWN_PAYLOADS) >= 50
    if CORPUS.is_dir():
        for name in CORPUS_FILES:
            assert len(_corpus_payloads(name)) >= 10, name


# Comment body


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_a_comment_body_reaches_a_page_as_executable_content(
    source, commenter, reader, no_posting_limit
):
    version = one_clause_version()
    author = client_for(commenter)
    typed = {}
    for payload in payloads_from(source):
        response, token = post_form(author, version, "scope", body=payload)
        assert response.status_code == 302, (payload, response.status_code)
        comment = Comment.objects.get(author=commenter, token=token)
        assert comment.body == payload  # the source is kept as typed
        typed[f"comment-{comment.pk}"] = payload

    shown = set()
    for response in every_page(reader, clause_url(version, "scope"), "threads_page"):
        assert_no_executable_content(response, typed)
        shown |= {i for i in typed if f'id="{i}"' in page_text(response)}
    assert shown == set(typed)
    for response in every_page(reader, reverse("person", args=[commenter.pk]), "page"):
        assert_no_executable_content(response)
    for element_id in typed:
        # The reply form shows the comment it answers.
        reply_page = author.get(reverse("comments:reply", args=[int(element_id.removeprefix("comment-"))]))
        assert_no_executable_content(reply_page, typed)


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_an_edited_comment_body_reaches_its_history_or_withdraw_page(
    source, commenter, no_posting_limit
):
    version = one_clause_version()
    author = client_for(commenter)
    for payload in payloads_from(source):
        comment = post_directly(commenter, version, "scope", body="The first text.")
        response = author.post(
            reverse("comments:edit", args=[comment.pk]), {"body": payload, "on_behalf_of": "", "save": "1"}
        )
        assert response.status_code == 302, (payload, response.status_code)
        comment.refresh_from_db()
        assert comment.body == payload
        assert_no_executable_content(author.get(reverse("comments:withdraw", args=[comment.pk])))
        # Edited again, so the payload is now an earlier text on the history page.
        author.post(
            reverse("comments:edit", args=[comment.pk]),
            {"body": "The third text.", "on_behalf_of": "", "save": "1"},
        )
        assert comment.revisions.filter(body=payload).exists()
        assert_no_executable_content(author.get(reverse("comments:history", args=[comment.pk])))


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_previewed_reaches_the_preview_as_executable_content(source, commenter):
    version = one_clause_version()
    author = client_for(commenter)
    for payload in payloads_from(source):
        without_javascript = author.post(
            reverse("comments:new", args=[version.pk, "scope"]),
            {"body": payload, "token": str(uuid.uuid4()), "preview": "1"},
        )
        assert_no_executable_content(without_javascript)
        live = author.post(reverse("comments:preview"), {"body": payload})
        assert_no_executable_content(live)
    assert not Comment.objects.exists()


def test_links_in_comments_carry_rel_nofollow_and_ugc(commenter, reader):
    version = one_clause_version()
    response, _ = post_form(
        client_for(commenter),
        version,
        "scope",
        body="See [the site](https://example.org/page), <https://example.com/> and <mailto:a@example.org>.",
    )
    assert response.status_code == 302
    page = assert_no_executable_content(reader.get(clause_url(version, "scope")))
    assert page.comment_links == 3


# Quoted passage


def fenced(text: str) -> str:
    """A code block showing `text` as it is, so a clause's reading text contains it."""
    longest = max((len(run) for run in re.findall(r"~+", text)), default=0)
    fence = "~" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


QUOTES_PER_CLAUSE = 20  # one page of threads, and within the earlier-comments list of a later version


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_a_quote_reaches_a_page_as_executable_content(
    source, commenter, reader, no_posting_limit
):
    wanted = []
    for payload in payloads_from(source):
        quote = quotes.normalise(payload)[:1000].strip()
        if quote:
            wanted.append(quote)
    chunks = [wanted[i : i + QUOTES_PER_CLAUSE] for i in range(0, len(wanted), QUOTES_PER_CLAUSE)]
    clauses = [
        (f"q{n}", f"Quoted {n}", "\n\n".join(fenced(quote) for quote in chunk))
        for n, chunk in enumerate(chunks)
    ]
    definition = make_definition(slug="quotes", versions={"0.1": clauses, "1.0": clauses})
    first, later = definition.versions.get(label="0.1"), definition.versions.get(label="1.0")
    author = client_for(commenter)
    typed = {}
    for n, chunk in enumerate(chunks):
        for quote in chunk:
            response, token = post_form(author, first, f"q{n}", quote=quote, body="About this passage.")
            assert response.status_code == 302, (quote, response.status_code)
            comment = Comment.objects.get(author=commenter, token=token)
            assert comment.quote == quote
            typed[f"comment-{comment.pk}"] = quote
        for version in (first, later):  # the later version lists it among earlier comments
            page = reader.get(clause_url(version, f"q{n}"))
            assert_no_executable_content(page, typed)
            for quote in chunk:
                assert str(escape(quote)) in page_text(page)
    for comment in Comment.objects.filter(author=commenter):
        assert_no_executable_content(author.get(reverse("comments:reply", args=[comment.pk])), typed)


def test_a_quote_that_is_not_in_the_clause_is_refused_and_not_shown(commenter):
    version = one_clause_version()
    author = client_for(commenter)
    for payload in OWN_PAYLOADS:
        response, _ = post_form(author, version, "scope", quote=payload[:1000], body="About this.")
        assert response.status_code == 400, payload
        assert "The quoted passage is not in the text of this clause" in page_text(response)
        assert_no_executable_content(response, status=400)
    assert not Comment.objects.exists()


# On behalf of


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_on_behalf_of_reaches_a_page_as_executable_content(
    source, commenter, reader, no_posting_limit
):
    version = one_clause_version()
    author = client_for(commenter)
    typed = {}
    for payload in payloads_from(source):
        on_behalf_of = payload[:200].strip()
        if not on_behalf_of:
            continue
        response, token = post_form(author, version, "scope", on_behalf_of=on_behalf_of)
        assert response.status_code == 302, (payload, response.status_code)
        comment = Comment.objects.get(author=commenter, token=token)
        assert comment.on_behalf_of == on_behalf_of
        typed[f"comment-{comment.pk}"] = on_behalf_of
        # An edit keeps the earlier "on behalf of" with the earlier text, on the history page.
        author.post(
            reverse("comments:edit", args=[comment.pk]),
            {"body": "A comment, edited.", "on_behalf_of": on_behalf_of, "save": "1"},
        )
        assert_no_executable_content(author.get(reverse("comments:history", args=[comment.pk])), typed)
    html = ""
    for response in every_page(reader, clause_url(version, "scope"), "threads_page"):
        assert_no_executable_content(response, typed)
        html += page_text(response)
    for value in typed.values():
        assert str(escape(value)) in html


# Endorsement note


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_an_endorsement_note_reaches_a_page_as_executable_content(
    source, commenter, reader, no_posting_limit
):
    version = one_clause_version()
    endorser = make_user()
    as_endorser = client_for(endorser)
    typed = {}
    for payload in payloads_from(source):
        comment = post_directly(commenter, version, "scope")
        response = as_endorser.post(reverse("comments:endorse", args=[comment.pk]), {"note": payload[:280]})
        assert response.status_code == 302
        endorsement = Endorsement.objects.get(comment=comment, person=endorser)
        assert endorsement.note == payload[:280].strip()
        typed[f"comment-{comment.pk}"] = endorsement.note
    html = ""
    for response in every_page(reader, clause_url(version, "scope"), "threads_page"):
        assert_no_executable_content(response, typed)
        html += page_text(response)
    for note in typed.values():
        assert str(escape(note)) in html


# Display name and affiliation


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_a_display_name_or_affiliation_reaches_a_page_as_executable_content(
    source, reader, no_posting_limit
):
    version = one_clause_version()
    shared = post_directly(make_user(), version, "scope", body="Endorse me.")
    viewer = client_for(make_user())  # signed in: the page also shows endorse and reply controls
    typed, people = {}, []
    for payload in payloads_from(source):
        person = make_user()
        as_person = client_for(person)
        fields = {"display_name": payload[:80].strip(), "affiliation": payload[:120].strip()}
        response = as_person.post(
            reverse("accounts:settings"), {**fields, "email_on_reply": "on", "email_receipts": "on"}
        )
        assert response.status_code == 302, (payload, response.status_code)
        person.profile.refresh_from_db()
        assert (person.profile.display_name, person.profile.affiliation) == (
            fields["display_name"],
            fields["affiliation"],
        )
        comment = post_directly(person, version, "scope")
        actions.endorse(comment=shared, person=person)
        typed[f"comment-{comment.pk}"] = payload
        people.append((person, fields))
        assert_no_executable_content(as_person.get(reverse("accounts:settings")))
        person_page = reader.get(reverse("person", args=[person.pk]))
        assert_no_executable_content(person_page)
        for value in fields.values():
            assert str(escape(value)) in page_text(person_page)
        assert_no_executable_content(viewer.get(reverse("comments:reply", args=[comment.pk])))
    html = ""
    for response in every_page(viewer, clause_url(version, "scope"), "threads_page"):
        assert_no_executable_content(response, typed)
        html += page_text(response)
    for _, fields in people:
        for value in fields.values():
            assert str(escape(value)) in html


@pytest.mark.parametrize("source", SOURCES)
def test_no_payload_in_a_display_name_given_at_sign_up_reaches_a_page_as_executable_content(source, db):
    for number, payload in enumerate(payloads_from(source)):
        name = payload[:80].strip()
        if not name:
            continue
        cache.clear()  # allauth allows 20 sign-ups a minute from one address; this is one address
        email = f"newcomer{number}@example.org"
        response = Client().post(
            reverse("account_signup"),
            {
                "email": email,
                "password1": "a long passphrase 1",
                "password2": "a long passphrase 1",
                "display_name": name,
            },
        )
        assert response.status_code == 302, (payload, response.status_code)
        person = User.objects.get(email=email)
        assert person.profile.display_name == name
        person_page = Client().get(reverse("person", args=[person.pk]))
        assert_no_executable_content(person_page)
        assert f"<h1>{escape(name)}</h1>" in page_text(person_page)
