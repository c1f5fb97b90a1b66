"""Word-level differences between two texts, as HTML with <ins> and <del>.

The texts are Markdown sources: a reader sees exactly which words a revision added or took out,
including changes of markup. Everything is escaped; the result is safe to show.
"""

import re
from difflib import SequenceMatcher
from html import escape

_TOKEN = re.compile(r"\s+|[\w’']+|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def word_diff(old: str, new: str) -> str:
    """HTML for `new` with the words removed since `old` in <del> and those added in <ins>."""
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


_WORD = re.compile(r"\w+", re.UNICODE)


def similarity(old: str, new: str) -> float:
    """How alike two texts are, word by word, from 0.0 (no word shared) to 1.0 (the same words).

    Only words count: spaces and punctuation, which every text shares, would make unrelated texts
    look half alike."""
    a, b = _WORD.findall((old or "").lower()), _WORD.findall((new or "").lower())
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
