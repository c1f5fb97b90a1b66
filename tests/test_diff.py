"""docket.diff: word-level differences as escaped HTML, and how alike two texts are."""

import pytest

from docket.diff import similarity, word_diff


def test_a_changed_word_shows_the_old_one_deleted_and_the_new_one_inserted():
    assert word_diff("the cat sat", "the dog sat") == "the<del> cat</del><ins> dog</ins> sat"


def test_added_words_are_marked_as_insertions():
    assert word_diff("Anyone may join.", "Anyone may join today.") == "Anyone may join<ins> today</ins>."


def test_removed_words_are_marked_as_deletions():
    assert (
        word_diff("Members pay a yearly fee.", "Members pay a fee.") == "Members pay a<del> yearly</del> fee."
    )


def test_equal_text_is_left_unmarked():
    text = "This charter covers community gardens."
    assert word_diff(text, text) == text


def test_only_the_changed_words_are_marked():
    html = word_diff("This charter covers gardens.", "This charter covers community gardens.")
    assert html == "This charter covers<ins> community</ins> gardens."


def test_html_in_the_new_text_appears_escaped():
    html = word_diff("hello", 'hello <script>alert("x")</script>')
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&quot;x&quot;" in html


def test_html_in_the_old_text_appears_escaped():
    html = word_diff("<script>alert(1)</script> hello", "hello")
    assert "<script>" not in html
    assert html.startswith("<del>&lt;script&gt;alert(1)&lt;/script&gt;")


def test_html_in_unchanged_text_appears_escaped():
    assert word_diff("a <b>b</b> & c", "a <b>b</b> & c") == "a &lt;b&gt;b&lt;/b&gt; &amp; c"


def test_only_ins_and_del_tags_appear_in_a_diff():
    html = word_diff("<em>old</em> <img src=x onerror=alert(1)>", "<strong>new</strong> <iframe>")
    stripped = html
    for tag in ("<ins>", "</ins>", "<del>", "</del>"):
        stripped = stripped.replace(tag, "")
    assert "<" not in stripped
    assert ">" not in stripped


def test_an_empty_old_text_makes_everything_an_insertion():
    assert word_diff("", "Members meet each month.") == "<ins>Members meet each month.</ins>"


def test_an_empty_new_text_makes_everything_a_deletion():
    assert word_diff("Members pay a yearly fee.", "") == "<del>Members pay a yearly fee.</del>"


def test_two_empty_texts_make_an_empty_diff():
    assert word_diff("", "") == ""


def test_equal_texts_are_fully_similar():
    assert similarity("Anyone may join.", "Anyone may join.") == 1.0


def test_two_empty_texts_are_fully_similar():
    assert similarity("", "") == 1.0


def test_an_empty_text_shares_nothing_with_a_full_one():
    assert similarity("", "Anyone may join.") == 0.0
    assert similarity("Anyone may join.", "") == 0.0


def test_single_different_words_are_not_similar():
    assert similarity("Fees", "Meetings") == 0.0


def test_texts_with_no_word_in_common_are_not_similar():
    old = "Members pay a yearly fee, in cash, to the treasurer. Late payers lose their plot."
    new = "Orchards need pruning each winter, mostly, by volunteers. Apples ripen during autumn."
    assert similarity(old, new) < 0.2


def test_a_small_edit_is_more_similar_than_a_rewrite():
    base = "This charter covers community gardens."
    small_edit = similarity(base, "This charter covers community gardens and orchards.")
    rewrite = similarity(base, "Orchards need pruning each winter by volunteers.")
    assert 0.7 < small_edit < 1.0
    assert rewrite < small_edit


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("the cat sat on the mat", "the dog sat on a mat"),
        ("This charter covers gardens.", "This charter covers community gardens and orchards."),
        ("Anyone may join.", "Members meet each month."),
    ],
)
def test_similarity_is_about_the_same_in_either_direction(a, b):
    assert similarity(a, b) == pytest.approx(similarity(b, a), abs=0.05)


def test_rewrapping_a_paragraph_is_not_a_change():
    from docket.diff import same_text

    assert same_text("Anyone may\njoin the garden.", "Anyone may join\nthe  garden.")
    assert not same_text("Anyone may join.", "Anyone may not join.")


def test_a_long_text_is_diffed_paragraph_by_paragraph():
    paragraphs = [f"Paragraph {n} says something about gardens number {n}." for n in range(300)]
    edited = list(paragraphs)
    edited[150] = "Paragraph 150 says something new about orchards number 150."
    html = word_diff("\n".join(paragraphs), "\n".join(edited))
    lines = html.split("\n")
    assert len(lines) == 300
    assert (
        lines[150]
        == "Paragraph 150 says something<ins> new</ins> about<del> gardens</del><ins> orchards</ins> number 150."
    )
    assert "<ins>" not in html.replace(lines[150], "") and "<del>" not in html.replace(lines[150], "")
    assert html.split("\n")[149] == "Paragraph 149 says something about gardens number 149."


def test_the_compiled_matcher_is_used_where_it_is_installed():
    cydifflib = pytest.importorskip("cydifflib")
    from docket import diff, quotes

    assert diff.SequenceMatcher is cydifflib.SequenceMatcher
    assert quotes.SequenceMatcher is cydifflib.SequenceMatcher


def test_the_compiled_matcher_gives_difflib_s_results(monkeypatch):
    """cydifflib stands in for difflib only because its opcodes are the same: diffs, similarities
    and found quotes must not depend on which one a machine has."""
    pytest.importorskip("cydifflib")
    import difflib
    import random

    from docket import diff

    rnd = random.Random(7)
    words = [
        "the",
        "source",
        "weights",
        "data,",
        "model",
        "training.",
        "user",
        "interface",
        "code",
        "open",
        "license",
    ]
    pairs = []
    for _ in range(200):
        old = [rnd.choice(words) for _ in range(rnd.randint(0, 120))]
        new = list(old)
        for _ in range(rnd.randint(0, 15)):
            at = rnd.randrange(len(new) + 1)
            if rnd.random() < 0.5:
                new.insert(at, rnd.choice(words))
            elif at < len(new):
                del new[at]
        cut = rnd.randint(0, len(old))
        pairs.append((" ".join(old[:cut]) + "\n" + " ".join(old[cut:]), " ".join(new)))

    def results():
        return [(word_diff(a, b), similarity(a, b)) for a, b in pairs]

    compiled = results()
    monkeypatch.setattr(diff, "SequenceMatcher", difflib.SequenceMatcher)
    assert results() == compiled
