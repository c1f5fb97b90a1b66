from django.shortcuts import render
from django.views.decorators.http import require_safe

from definition.models import Definition

from . import search


@require_safe
def search_page(request):
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "all")
    kind = kind if kind in ("all", "clauses", "comments") else "all"
    definitions = list(Definition.objects.filter(versions__status="published").distinct().order_by("title"))
    definition = next((d for d in definitions if d.slug == request.GET.get("definition")), None)
    label = request.GET.get("version", "").strip()[:40] or None
    all_versions = request.GET.get("all_versions") == "1"
    results = (
        search.search(query, definition=definition, label=label, kind=kind, all_versions=all_versions)
        if query
        else search.Results([])
    )
    return render(
        request,
        "openrecord/search.html",
        {
            "query": query,
            "hits": results.hits,
            "capped": results.capped,
            "candidates": f"{search.CANDIDATES:,}",
            "kind": kind,
            "definitions": definitions,
            "chosen_definition": definition,
            "label": label or "",
            "all_versions": all_versions,
        },
    )
