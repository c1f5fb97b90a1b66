"""{% shared_fragment %} and {% live %} (docket/templatetags/docket.py), as template tags."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils.html import format_html

from docket import pagecache

LIVE = '{% load docket %}{% shared_fragment "test" key lasting %}<p>{{ text }}{% live "count" n %}</p>{% endshared_fragment %}'


def render(source, **context):
    return Template(source).render(Context(context))


def test_a_live_part_outside_a_kept_fragment_is_its_functions_value_escaped():
    page = '{% load docket %}{% live "say" 7 %}'
    assert render(page, say=lambda n: f"<b>{n}</b>") == "&lt;b&gt;7&lt;/b&gt;"
    assert render(page, say=lambda n: format_html("<b>{}</b>", n)) == "<b>7</b>"


def test_a_live_argument_must_be_a_number_or_a_word():
    with pytest.raises(ValueError, match="a number or a word"):
        render('{% load docket %}{% live "say" x %}', say=str, x="a-b")


@pytest.mark.parametrize("tag", ['{% live "say" %}', "{% live say x %}", '{% live "a b" x %}'])
def test_a_malformed_live_tag_is_refused(tag):
    with pytest.raises(TemplateSyntaxError):
        Template("{% load docket %}" + tag)


def test_a_kept_fragment_is_served_with_its_live_parts_filled_in_now(settings):
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 60
    cache.clear()
    first = render(LIVE, key=1, text="Kept.", n=1, count=lambda n: f"[{n}: one]")
    # The text is kept; the live part is asked again, and a change forgets nothing lasting.
    pagecache.forget_now()
    second = render(LIVE, key=1, text="Not rendered again.", n=1, count=lambda n: f"[{n}: two]")
    assert first == "<p>Kept.[1: one]</p>"
    assert second == "<p>Kept.[1: two]</p>"
    assert render(LIVE, key=2, text="Another key.", n=3, count=str) == "<p>Another key.3</p>"


def test_with_the_page_cache_off_nothing_is_kept(settings):
    settings.PAGE_CACHE_SECONDS = 0
    assert render(LIVE, key=1, text="One.", n=1, count=str) == "<p>One.1</p>"
    assert render(LIVE, key=1, text="Two.", n=1, count=str) == "<p>Two.1</p>"
