"""Word-level differences between two texts, as HTML with <ins> and <del>.

Callers pass the text a reader sees (see docket.markdown.plain_text), so a diff shows changed
words, not changed markup. Paragraphs are matched first and words only within the paragraphs
that changed, which keeps long clauses fast. Everything is escaped; the result is safe to show.
"""

import re
from html import escape

try:
    # difflib's algorithm compiled (cydifflib): the same opcodes, five to six times faster. The
    # uncached compare page spends most of its diffing time here.
    from cydifflib import SequenceMatcher
except ImportError:  # no wheel for this Python (none for 3.14 yet): difflib's own, same results
    from difflib import SequenceMatcher

# A word (or one punctuation mark) with the whitespace before it, so that an inserted word
# carries its own space: "gardens<ins> and orchards</ins>."
_TOKEN = re.compile(r"\s*[\w’']+|\s*[^\w\s]|\s+", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def same_text(old: str, new: str) -> bool:
    """Equal but for whitespace: re-wrapping a paragraph is not a change."""
    return old == new or (old or "").split() == (new or "").split()


def _words_diff(old: str, new: str) -> str:
    a, b = tokenize(old), tokenize(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    out: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def word_diff(old: str, new: str) -> str:
    """HTML for `new` with the words removed since `old` in <del> and those added in <ins>."""
    old_lines, new_lines = (old or "").split("\n"), (new or "").split("\n")
    if len(old_lines) == 1 and len(new_lines) == 1:
        return _words_diff(old or "", new or "")
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    out: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("\n".join(old_lines[i1:i2])))
        else:
            out.append(_words_diff("\n".join(old_lines[i1:i2]), "\n".join(new_lines[j1:j2])))
    return "\n".join(out)


def similarity(old: str, new: str) -> float:
    """How alike two texts are, word by word, from 0.0 (no word shared) to 1.0 (the same words).

    Only words count: spaces and punctuation, which every text shares, would make unrelated texts
    look half alike."""
    a, b = _WORD.findall((old or "").lower()), _WORD.findall((new or "").lower())
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
