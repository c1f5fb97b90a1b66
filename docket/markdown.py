"""The one place Markdown becomes HTML on this site.

markdown-it-py parses CommonMark with raw HTML turned off, then nh3 keeps only an allowlist of
tags, attributes and URL schemes. Everything people type (stewards' clauses and notes included)
goes through `render`, once, when it is saved; pages only ever show the stored result.
"""

import re
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

# Work bounds. markdown-it's link and emphasis rules stay linear, but with a large constant: a
# paragraph of nothing but `[` or `**a` at the maximum comment length costs 250-400 ms to
# parse. No real paragraph has hundreds of link brackets or thousands of emphasis markers, so
# in one that does they are taken as the literal characters they almost surely are (escaped
# before inline parsing), which makes the worst input about five times cheaper. Below these
# counts nothing changes. (Measured in `manage.py bench`; see docs/performance.md.)
MAX_BRACKETS_PER_BLOCK = 500
MAX_EMPHASIS_MARKS_PER_BLOCK = 2_000


def _escape(text: str, chars: str) -> str:
    """`text` with every unescaped character of `chars` backslash-escaped; linear."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i : i + 2])
            i += 2
            continue
        out.append("\\" + char if char in chars else char)
        i += 1
    return "".join(out)


def _defuse_pathological_blocks(state) -> None:
    for token in state.tokens:
        if token.type != "inline" or not token.content:
            continue
        content = token.content
        if content.count("[") > MAX_BRACKETS_PER_BLOCK:
            content = _escape(content, "[")
        if content.count("*") + content.count("_") > MAX_EMPHASIS_MARKS_PER_BLOCK:
            content = _escape(content, "*_")
        token.content = content


_md.core.ruler.before("inline", "defuse_pathological_blocks", _defuse_pathological_blocks)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "ins", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


# markdown-it marks table column alignment with a style attribute; styles are not allowed, so it
# becomes the plain align attribute. Only markdown-it's own output is rewritten (raw HTML is off).
_ALIGN_STYLE = re.compile(r'<(th|td) style="text-align:(left|right|center)">')


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )


def render(text: str) -> str:
    """Markdown source to sanitised HTML, safe to mark safe in a template."""
    if not text or not text.strip():
        return ""
    return sanitize(_ALIGN_STYLE.sub(r'<\1 align="\2">', _md.render(text)))


def parse(text: str):
    """The block tokens of a Markdown text (used by the importer to find headings)."""
    return _md.parse(text)


def render_inline_text(text: str) -> str:
    """The plain text of one line of inline Markdown, e.g. a heading: markup dropped."""
    tokens = _md.parseInline(text)
    parts: list[str] = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return "".join(parts).strip()


_BLOCKS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "table",
    "ul",
    "ol",
    "hr",
}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.in_pre = False

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")
        elif tag == "pre":
            self.in_pre = True

    def handle_endtag(self, tag):
        if tag == "pre":
            self.in_pre = False
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data if self.in_pre else " ".join(data.split("\n")))


def plain_text(html: str) -> str:
    """What a reader sees of some rendered HTML: its words, one paragraph or list item a line."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    lines = ("".join(extractor.parts)).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())
