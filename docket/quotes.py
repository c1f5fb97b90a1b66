"""Quoted passages: check them, keep their context, find them again in a later text, mark them.

A quote is compared with what a reader sees of a clause (its rendered HTML's text, whitespace
collapsed), because that is what a reader selects in the browser. Plain helpers, no Django.
"""

import html as htmllib
import re
from dataclasses import dataclass

from docket.diff import SequenceMatcher

CONTEXT_CHARS = 40
_PARTS = re.compile(r"(<[^>]*>)|([^<]+)")
_BLOCK_TAG = re.compile(r"</?(p|li|ul|ol|h[1-6]|blockquote|pre|tr|td|th|table|br|hr)\b", re.I)


def normalise(text: str) -> str:
    return " ".join((text or "").split())


def _stream(html: str):
    """The reader's text of some HTML, whitespace collapsed, with where each character came from:
    (parts, chars, origins); origins[i] is (part index, offset) or None for a block break."""
    parts: list[tuple[str, str]] = []
    chars: list[str] = []
    origins: list[tuple[int, int] | None] = []
    for match in _PARTS.finditer(html or ""):
        tag, text = match.groups()
        if tag is not None:
            parts.append(("tag", tag))
            if _BLOCK_TAG.match(tag) and chars and chars[-1] != " ":
                chars.append(" ")
                origins.append(None)
            continue
        text = htmllib.unescape(text)
        index = len(parts)
        parts.append(("text", text))
        for offset, char in enumerate(text):
            if char.isspace():
                if chars and chars[-1] != " ":
                    chars.append(" ")
                    origins.append((index, offset))
            else:
                chars.append(char)
                origins.append((index, offset))
    return parts, "".join(chars).strip(), chars, origins


def reading_text(html: str) -> str:
    """What a reader sees of some rendered HTML, as one line."""
    return normalise(_stream(html)[1])


def contains(html: str, quote: str) -> bool:
    quote = normalise(quote)
    return bool(quote) and quote in reading_text(html)


def context(html: str, quote: str) -> tuple[str, str]:
    """A little of the text before and after the first occurrence of the quote."""
    text, quote = reading_text(html), normalise(quote)
    start = text.find(quote)
    if start < 0:
        return "", ""
    end = start + len(quote)
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


@dataclass
class Anchor:
    status: str  # "same": the passage reads the same; "changed": it now reads `now_reads`; "gone"
    now_reads: str = ""


def reanchor(html: str, quote: str, prefix: str = "", suffix: str = "") -> Anchor:
    """Where a passage quoted from an earlier version stands in this text. Never guesses silently:
    a passage that changed is reported as changed, with what the text now says in its place."""
    text, quote = reading_text(html), normalise(quote)
    if quote and quote in text:
        return Anchor("same", quote)
    before, after = normalise(prefix)[-20:], normalise(suffix)[:20]
    if before and after:
        start = text.find(before)
        if start >= 0:
            start += len(before)
            end = text.find(after, start)
            if end >= 0 and end - start <= 3 * len(quote) + 200:
                now_reads = text[start:end].strip()
                # Nothing left between its neighbours: the passage was taken out.
                return Anchor("changed", now_reads) if now_reads else Anchor("gone")
    # Otherwise: the stretch of text sharing most words with the quote, if it shares enough.
    words, quote_words = text.split(" "), quote.split(" ")
    matcher = SequenceMatcher(None, words, quote_words, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks())
    if quote_words and shared >= max(2, len(quote_words) // 2):
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        first, last = blocks[0], blocks[-1]
        return Anchor("changed", " ".join(words[first.a : last.a + last.size]))
    return Anchor("gone")


def highlight(html: str, quote: str, css_class: str = "quoted") -> str:
    """The HTML with the first occurrence of the quoted passage wrapped in <mark>, even across
    inline tags. Unchanged when the passage is not there."""
    parts, _, chars, origins = _stream(html)
    joined = "".join(chars)
    quote = normalise(quote)
    start = joined.find(quote) if quote else -1
    if start < 0:
        return html
    covered: dict[int, list[int]] = {}
    for origin in origins[start : start + len(quote)]:
        if origin is not None:
            covered.setdefault(origin[0], []).append(origin[1])
    out = []
    for index, (kind, value) in enumerate(parts):
        if kind == "tag":
            out.append(value)
        elif index in covered:
            first, last = min(covered[index]), max(covered[index]) + 1
            out.append(htmllib.escape(value[:first], quote=False))
            out.append(f'<mark class="{css_class}">{htmllib.escape(value[first:last], quote=False)}</mark>')
            out.append(htmllib.escape(value[last:], quote=False))
        else:
            out.append(htmllib.escape(value, quote=False))
    return "".join(out)
