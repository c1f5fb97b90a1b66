"""docket.markdown: the one renderer, and the allowlist that keeps pages free of executable markup."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from docket import markdown as markdown_module
from docket.markdown import ALLOWED_TAGS, render, render_inline_text

XSS_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "xss"
SAFE_SCHEMES = {"http", "https", "mailto"}
# Browsers drop tabs and newlines anywhere in a URL, and leading spaces and control characters.
_URL_NOISE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


class _Elements(HTMLParser):
    """Every start tag of a fragment, with its attributes (values already unescaped)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in an href, or None for a relative or fragment link."""
    cleaned = _URL_NOISE.sub("", url).lstrip("".join(chr(c) for c in range(0x21)))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else None


def executable_markup(html: str) -> list[str]:
    """What in a rendered fragment could run script or style: empty when the fragment is inert."""
    problems = []
    for tag, attrs in elements(html):
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                problems.append(f"attribute {name} on <{tag}>")
            if name == "style":
                problems.append(f"style attribute on <{tag}>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value is not None:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    problems.append(f"{name}={value!r} on <{tag}>")
    return problems


def hrefs(html: str) -> list[str | None]:
    return [value for tag, attrs in elements(html) if tag == "a" for name, value in attrs if name == "href"]


# Basic CommonMark


def test_paragraphs_and_emphasis_render_as_html():
    html = render("Some *emphasis* and **strong** words.\n\nA second paragraph.")
    assert "<p>Some <em>emphasis</em> and <strong>strong</strong> words.</p>" in html
    assert "<p>A second paragraph.</p>" in html


def test_headings_render_at_their_level():
    html = render("# One\n\n## Two\n\n### Three")
    assert "<h1>One</h1>" in html
    assert "<h2>Two</h2>" in html
    assert "<h3>Three</h3>" in html


def test_bulleted_and_numbered_lists_render_as_lists():
    html = render("- apple\n- pear\n\n1. first\n2. second")
    assert "<ul>\n<li>apple</li>\n<li>pear</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in html


def test_a_numbered_list_keeps_its_start_number():
    assert '<ol start="3">' in render("3. three\n4. four")


def test_code_spans_and_fenced_code_render_with_their_content_escaped():
    html = render("Use `a < b` here.\n\n```\nif x < y:\n    pass\n```")
    assert "<code>a &lt; b</code>" in html
    assert "<pre><code>if x &lt; y:\n    pass\n</code></pre>" in html


def test_blockquotes_and_rules_render():
    html = render("> quoted\n\n---")
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert "<hr>" in html


def test_a_plain_link_keeps_its_address_and_title():
    html = render('[the site](https://example.org/page "Title")')
    assert hrefs(html) == ["https://example.org/page"]
    assert 'title="Title"' in html
    assert ">the site</a>" in html


def test_mailto_and_relative_links_are_kept():
    html = render("[write](mailto:someone@example.org) and [see](/charter/1.0/) and [jump](#scope)")
    assert hrefs(html) == ["mailto:someone@example.org", "/charter/1.0/", "#scope"]


def test_empty_or_blank_text_renders_as_nothing():
    assert render("") == ""
    assert render("   \n\t ") == ""


# Tables and strikethrough


def test_tables_render_as_table_markup():
    html = render("| Term | Meaning |\n| --- | --- |\n| AI | a system |")
    assert "<table>" in html
    assert "<th>Term</th>" in html
    assert "<td>a system</td>" in html


def test_table_column_alignment_survives_sanitising():
    html = render("| left | right |\n| :--- | ---: |\n| a | b |")
    cells = [attrs for tag, attrs in elements(html) if tag in ("th", "td")]
    assert ("align", "right") in cells[1]


def test_strikethrough_renders_as_struck_text():
    assert "<s>gone</s>" in render("~~gone~~")


# Raw HTML is text, never markup


def test_raw_html_is_escaped_not_passed_through():
    html = render("Hello <b>bold</b> <script>alert(1)</script>")
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert [tag for tag, _ in elements(html)] == ["p"]


def test_a_raw_html_block_is_escaped_not_passed_through():
    html = render('<div onclick="steal()">\n<p>inside</p>\n</div>')
    assert "&lt;div onclick=" in html
    assert [tag for tag, _ in elements(html)] == ["p"]


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<iframe src=https://evil.example></iframe>",
        "<img src=x onerror=alert(1)>",
        "<style>body { display: none }</style>",
        "<svg onload=alert(1)>",
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        "![picture](https://example.org/cat.png)",
        '![picture](https://example.org/cat.png "onerror=alert(1)")',
    ],
)
def test_no_script_iframe_img_style_or_event_handler_ever_survives(source):
    html = render(source)
    tags = {tag for tag, _ in elements(html)}
    attributes = {name for _, attrs in elements(html) for name, _ in attrs}
    assert not tags & {"script", "iframe", "img", "style", "svg"}
    assert not [name for name in attributes if name.startswith("on")]


# Dangerous links


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](data:image/png;base64,iVBORw0KGgo=)",
        "[click](java&#x09;script:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
        "<javascript:alert(1)>",
    ],
)
def test_javascript_data_and_vbscript_links_are_dropped(source):
    html = render(source)
    for href in hrefs(html):
        assert url_scheme(href or "") in (None, *SAFE_SCHEMES), href
    assert "javascript:" not in "".join(h or "" for h in hrefs(html)).lower()


def test_links_get_rel_with_nofollow():
    html = render("[home](https://example.org/) and <https://example.com/>")
    rels = [dict(attrs).get("rel") for tag, attrs in elements(html) if tag == "a"]
    assert len(rels) == 2
    for rel in rels:
        assert "nofollow" in rel.split()


# Corpus of XSS payloads


def _markdown_it_fixture_inputs(text: str) -> list[str]:
    """The input blocks of a markdown-it fixture file: description, `.`, input, `.`, output, `.`."""
    inputs, block, state = [], [], "outside"
    for line in text.splitlines():
        if line == ".":
            if state == "outside":
                state, block = "input", []
            elif state == "input":
                inputs.append("\n".join(block))
                state = "output"
            else:
                state = "outside"
        elif state == "input":
            block.append(line)
    return inputs


def xss_payloads() -> list[tuple[str, str]]:
    """(where, payload) for every payload in the shared corpus."""
    payloads = []
    for path in sorted(XSS_CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        if path.name == "markdown-it-xss-fixtures.txt":
            payloads += [
                (f"{path.name} case {n}", p) for n, p in enumerate(_markdown_it_fixture_inputs(text))
            ]
        else:
            payloads += [
                (f"{path.name}:{n}", line)
                for n, line in enumerate(text.splitlines(), start=1)
                if line.strip()
            ]
    return payloads


def test_the_corpus_helper_reads_markdown_it_input_blocks_only():
    text = "About links\n.\n[a](javascript:x)\n\n[b](y)\n.\n<p>out</p>\n.\n\n.\nsecond\n.\nout\n.\n"
    assert _markdown_it_fixture_inputs(text) == ["[a](javascript:x)\n\n[b](y)", "second"]


def test_the_inertness_check_catches_executable_markup():
    assert (
        executable_markup('<p><a href="https://example.org" rel="nofollow">ok</a> <a href="#x">y</a></p>')
        == []
    )
    assert executable_markup("<script>x</script>")
    assert executable_markup('<p onmouseover="x">')
    assert executable_markup('<p style="color: red">')
    assert executable_markup('<a href="java\tscript:alert(1)">')
    assert executable_markup('<a href=" &#106;avascript:alert(1)">')


def test_no_payload_in_the_xss_corpus_renders_executable_markup():
    if not XSS_CORPUS.is_dir():
        pytest.skip(f"the shared XSS corpus is not here: {XSS_CORPUS}")
    payloads = xss_payloads()
    assert len(payloads) > 100, "the corpus should hold a few hundred payloads"
    failures = []
    for where, payload in payloads:
        problems = executable_markup(render(payload))
        if problems:
            failures.append(f"{where}: {payload!r} -> {problems}")
    assert not failures, "\n".join(failures)


# Inline text (headings, titles)


def test_render_inline_text_drops_markdown_markup():
    text = render_inline_text("**Bold** and _emphasis_ with `code` and [a link](https://example.org)")
    assert text == "Bold and emphasis with code and a link"


def test_render_inline_text_decodes_entities_to_plain_characters():
    assert render_inline_text("Terms &amp; conditions") == "Terms & conditions"


def test_render_inline_text_keeps_typed_angle_brackets_as_text_not_markup():
    # Raw HTML is off: a typed tag is plain text, and templates escape it when they show it.
    assert render_inline_text("Use <b>this</b>") == "Use <b>this</b>"


def test_plain_text_is_what_a_reader_sees_one_paragraph_a_line():
    from docket.markdown import plain_text

    html = render("Cooks **share**\nrecipes.\n\n- [Use](https://example.org) it\n- Study it")
    assert plain_text(html) == "Cooks share recipes.\n• Use it\n• Study it"


# Pathological paragraphs: their link brackets and emphasis marks are taken literally


def test_a_paragraph_with_many_links_below_the_bound_keeps_them_all():
    count = markdown_module.MAX_BRACKETS_PER_BLOCK
    html = render("[a](https://example.org/) " * count)
    assert html.count("<a href=") == count


def test_a_paragraph_with_more_brackets_than_the_bound_shows_them_as_typed():
    text = "[a](https://example.org/) " * (markdown_module.MAX_BRACKETS_PER_BLOCK + 1)
    html = render(text)
    assert "<a " not in html
    assert html.count("[a](https://example.org/)") == markdown_module.MAX_BRACKETS_PER_BLOCK + 1


def test_the_bound_counts_per_paragraph_so_other_paragraphs_keep_their_links():
    html = render("[" * 600 + "\n\nSee [the draft](https://example.org/draft).")
    assert "[" * 600 in html
    assert '<a href="https://example.org/draft"' in html


def test_escaped_characters_in_a_pathological_paragraph_stay_as_typed():
    html = render("\\[x\\] " + "[" * 600 + " \\\\ end")
    assert "[x]" in html
    assert "\\[" not in html
    assert "\\ end" in html


def test_a_paragraph_with_more_emphasis_marks_than_the_bound_shows_them_as_typed():
    count = markdown_module.MAX_EMPHASIS_MARKS_PER_BLOCK // 4 + 1
    html = render("**a** " * count)
    assert "<strong>" not in html
    assert html.count("**a**") == count
    assert render("**a** " * (count - 1)).count("<strong>") == count - 1


def test_escaping_skips_inline_parsing_of_the_brackets(monkeypatch):
    """The point of the bound: the link rule no longer scans for a closing bracket."""
    helpers = markdown_module._md.helpers
    original = helpers.parseLinkLabel
    calls = []
    monkeypatch.setattr(helpers, "parseLinkLabel", lambda *a, **k: calls.append(1) or original(*a, **k))
    render("[a" * 400)
    assert calls
    calls.clear()
    render("[a" * 600)
    assert not calls
