"""{% url_for_id %}: the same address as {% url %} for one-number URLs, without a reversal each time."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse


@pytest.mark.parametrize(
    "name",
    ["comments:reply", "comments:permalink", "moderation:flag", "moderation_stewards:disposition", "person"],
)
@pytest.mark.parametrize("pk", [1, 42, 987_654_321, 10**12])
def test_it_gives_what_url_gives(name, pk):
    rendered = Template("{% load docket %}{% url_for_id name pk %}").render(Context({"name": name, "pk": pk}))
    assert rendered == reverse(name, args=[pk])


def test_it_refuses_a_url_that_does_not_take_one_number():
    with pytest.raises(Exception):  # noqa: B017  (NoReverseMatch or TemplateSyntaxError)
        Template("{% load docket %}{% url_for_id 'search' 1 %}").render(Context())


def test_it_refuses_something_that_is_not_a_number():
    with pytest.raises((ValueError, TemplateSyntaxError)):
        Template("{% load docket %}{% url_for_id 'comments:reply' pk %}").render(Context({"pk": "1/../x"}))


def test_a_url_maker_gives_what_url_gives_for_many_numbers():
    from docket.templatetags.docket import url_maker

    permalink = url_maker("comments:permalink")
    assert [permalink(pk) for pk in (1, 42, 10**12)] == [
        reverse("comments:permalink", args=[pk]) for pk in (1, 42, 10**12)
    ]
