"""The benchmark's baseline: a small template through the full middleware, no database."""

from django.template.response import TemplateResponse


def baseline(request):
    return TemplateResponse(request, "bench/baseline.html", {"items": ["one", "two", "three"]})
