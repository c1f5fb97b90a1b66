"""docket/quotes.py on its own: what a reader sees of a clause, quotes in it, and marking them."""

from html.parser import HTMLParser

from docket import markdown
from docket.quotes import Anchor, contains, context, highlight, normalise, reading_text, reanchor

VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "wbr"}


class _TagBalance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.balanced = True

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.balanced = False


def tags_balance(html: str) -> bool:
    parser = _TagBalance()
    parser.feed(html)
    parser.close()
    return parser.balanced and not parser.open


# A clause as the site stores it: Markdown rendered and sanitised, with inline markup, a list
# and a table, so quotes can cross inline tags, list items and cells.
CLAUSE = markdown.render(
    "Members pay a **yearly fee** of *ten* pounds & more.\n\n"
    "- apples `and` pears\n- plums\n\n"
    "| a | b |\n|---|---|\n| one | two |\n"
)


# normalise


def test_normalise_collapses_runs_of_whitespace_into_one_space():
    assert normalise("  a \n\t b   c  ") == "a b c"


def test_normalise_turns_nothing_into_an_empty_string():
    assert normalise(None) == ""
    assert normalise(" \n ") == ""


# reading_text


def test_reading_text_drops_tags_and_keeps_the_words_of_inline_markup():
    assert reading_text("<p>One <strong>two</strong> <em>three</em></p>") == "One two three"


def test_reading_text_separates_blocks_with_one_space():
    html = "<p>First.</p><ul><li>apples</li><li>pears</li></ul><p>Last.</p>"
    assert reading_text(html) == "First. apples pears Last."


def test_reading_text_unescapes_entities_as_a_reader_sees_them():
    assert reading_text("<p>Fish &amp; chips &lt;hot&gt;</p>") == "Fish & chips <hot>"


def test_reading_text_collapses_the_newlines_of_rendered_markdown():
    assert reading_text("<p>line one\nline two</p>\n") == "line one line two"


# contains


def test_contains_finds_a_passage_across_inline_tags():
    assert contains(CLAUSE, "pay a yearly fee of ten pounds")


def test_contains_finds_a_passage_across_list_items():
    assert contains(CLAUSE, "and pears plums")


def test_contains_finds_a_passage_across_table_cells():
    assert contains(CLAUSE, "one two")


def test_contains_ignores_differences_in_whitespace_of_the_quote():
    assert contains(CLAUSE, "  yearly\n fee  of\tten ")


def test_contains_compares_with_the_unescaped_text():
    assert contains(CLAUSE, "pounds & more")
    assert not contains(CLAUSE, "pounds &amp; more")


def test_contains_does_not_run_block_boundaries_together():
    assert not contains(CLAUSE, "pearsplums")


def test_contains_refuses_words_that_are_not_there_and_an_empty_quote():
    assert not contains(CLAUSE, "eleven pounds")
    assert not contains(CLAUSE, "")
    assert not contains(CLAUSE, "   ")


# context


def test_context_gives_the_text_just_before_and_after_the_quote():
    before, after = context("<p>Members pay a <em>yearly</em> fee of ten pounds.</p>", "fee of ten")
    assert before == "Members pay a yearly "
    assert after == " pounds."


def test_context_is_at_most_forty_characters_each_side():
    html = "<p>" + "x" * 100 + " middle " + "y" * 100 + "</p>"
    before, after = context(html, "middle")
    assert before == "x" * 39 + " "
    assert after == " " + "y" * 39


def test_context_of_a_quote_that_is_not_there_is_empty():
    assert context(CLAUSE, "eleven pounds") == ("", "")


# reanchor

OLD = "<p>Members pay a yearly fee of ten pounds. Meetings are held in the village hall. Anyone may join.</p>"


def test_reanchor_says_a_passage_still_there_reads_the_same():
    new = "<p>Meetings are held in the <strong>village hall</strong>. Fees are waived.</p>"
    assert reanchor(new, "Meetings are held in the village hall.") == Anchor(
        "same", "Meetings are held in the village hall."
    )


def test_reanchor_finds_a_changed_passage_between_its_old_neighbours():
    prefix, suffix = context(OLD, "ten pounds")
    new = "<p>Members pay a yearly fee of twenty pounds. Meetings are held in the village hall.</p>"
    assert reanchor(new, "ten pounds", prefix, suffix) == Anchor("changed", "twenty pounds")


def test_reanchor_finds_a_changed_passage_by_the_words_it_shares():
    new = "<p>Members pay an annual fee of ten pounds.</p>"
    # No neighbours to go by: the passage is found by its words.
    anchor = reanchor(new, "pay a yearly fee of ten pounds.")
    assert anchor == Anchor("changed", "pay an annual fee of ten pounds.")


def test_reanchor_says_a_passage_whose_words_are_gone_is_gone():
    prefix, suffix = context(OLD, "Anyone may join.")
    new = "<p>Members pay a yearly fee of twenty pounds. Meetings are held in the village hall.</p>"
    assert reanchor(new, "Anyone may join.", prefix, suffix) == Anchor("gone")


def test_reanchor_does_not_take_one_shared_word_for_the_passage():
    assert reanchor("<p>Members meet monthly.</p>", "Anyone may join as members") == Anchor("gone")


def test_reanchor_says_a_passage_deleted_between_its_neighbours_is_gone():
    old = "<p>Fees are due in March and in September. Late fees apply.</p>"
    prefix, suffix = context(old, "and in September")
    new = "<p>Fees are due in March. Late fees apply.</p>"
    assert reanchor(new, "and in September", prefix, suffix) == Anchor("gone")


# highlight


def test_highlight_marks_a_passage_within_one_text_node():
    html = "<p>Members pay a yearly fee.</p>"
    assert highlight(html, "a yearly") == '<p>Members pay <mark class="quoted">a yearly</mark> fee.</p>'


def test_highlight_marks_a_passage_across_strong_in_each_text_node_it_touches():
    html = "<p>pay a <strong>yearly fee</strong> of ten</p>"
    assert highlight(html, "a yearly fee of") == (
        '<p>pay <mark class="quoted">a </mark><strong><mark class="quoted">yearly fee</mark></strong>'
        '<mark class="quoted"> of</mark> ten</p>'
    )


def test_highlight_marks_only_the_first_occurrence():
    html = "<p>fee and fee</p>"
    assert highlight(html, "fee") == '<p><mark class="quoted">fee</mark> and fee</p>'


def test_highlight_takes_a_css_class():
    assert highlight("<p>a b</p>", "b", css_class="mine") == '<p>a <mark class="mine">b</mark></p>'


def test_highlight_keeps_html_in_the_text_escaped():
    html = "<p>Never &lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>"
    marked = highlight(html, "<script>alert(1)")
    assert "<script>" not in marked
    assert '<mark class="quoted">&lt;script&gt;alert(1)</mark>&lt;/script&gt; &amp; more' in marked


def test_highlight_leaves_the_html_unchanged_when_the_passage_is_absent():
    assert highlight(CLAUSE, "eleven pounds") == CLAUSE
    assert highlight(CLAUSE, "") == CLAUSE


def test_the_tag_balance_check_catches_crossed_tags():
    assert tags_balance("<p>a <mark>b <strong>c</strong></mark></p>")
    assert not tags_balance("<p>a <mark>b <strong>c</mark></strong></p>")
    assert not tags_balance("<p><mark>a</p>")


def test_highlight_never_produces_unbalanced_tags_or_changes_the_text():
    text = reading_text(CLAUSE)
    quotes_tried = {
        text[start:end].strip() for start in range(len(text)) for end in range(start + 1, len(text) + 1)
    } - {""}
    assert len(quotes_tried) > 1000
    for quote in quotes_tried:
        marked = highlight(CLAUSE, quote)
        assert tags_balance(marked), quote
        assert '<mark class="quoted">' in marked, quote
        assert reading_text(marked) == text, quote
