"""Downloads: a version as re-importable Markdown or as one printable page; every comment of a
definition with its disposition (CSV, JSON); comments as W3C Web Annotations (JSON-LD)."""

import json

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from comments.models import Comment
from definition.models import ClauseText, Definition, Version
from moderation import reports


def _published_version(slug, label) -> Version:
    version = (
        Version.objects.published()
        .select_related("definition", "published_by")
        .filter(definition__slug=slug, label=label)
        .first()
    )
    if version is None:
        raise Http404("No such published version.")
    return version


def version_markdown(version) -> str:
    """The version in the import format, keys included, so importing it again changes nothing."""
    texts = list(version.clause_texts.select_related("clause").order_by("position"))
    parts = [f"# {version.title or version.definition.title}\n"]
    for text in texts:
        if text.heading:
            parts.append(f"{'#' * max(2, text.level)} {text.heading} {{#{text.clause.key}}}\n")
        if text.body.strip():
            # Only blank lines are trimmed: leading spaces can make an indented code block.
            parts.append(text.body.strip("\n").rstrip() + "\n")
    return "\n".join(parts)


@require_safe
def markdown_export(request, slug, label):
    version = _published_version(slug, label)
    response = HttpResponse(version_markdown(version), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{label}.md"'
    return response


@require_safe
def print_version(request, slug, label):
    version = _published_version(slug, label)
    texts = list(version.clause_texts.select_related("clause").order_by("position"))
    return render(
        request,
        "openrecord/print.html",
        {"version": version, "definition": version.definition, "texts": texts},
    )


@require_safe
def all_comments(request, slug, fmt):
    """Every thread-starting comment on every published version, with its disposition."""
    if fmt not in ("csv", "json"):
        raise Http404("Comments export as comments.csv or comments.json.")
    definition = get_object_or_404(Definition, slug=slug)
    versions = list(definition.versions.published().order_by("sequence"))
    if not versions:
        raise Http404

    def rows():
        # All versions at once: the number of queries does not grow with the versions.
        titles = {}
        for text in ClauseText.objects.filter(version__in=versions).only(
            "version_id", "clause_id", "heading"
        ):
            titles.setdefault(text.version_id, {})[text.clause_id] = text.title
        comments = reports.received(versions, sort="oldest")
        comments.sort(key=lambda c: (c.version.sequence, c.created_at, c.pk))
        for comment in comments:
            yield {
                "version": comment.version.label,
                **reports.row(comment, titles.get(comment.version_id, {})),
            }

    if fmt == "csv":
        # Streamed: a long record is written as it is read.
        lines = reports.csv_lines(rows(), ["version", *reports.FIELDS])
        response = StreamingHttpResponse(reports.in_chunks(lines), content_type="text/csv; charset=utf-8")
    else:

        def chunks():
            yield f'{{"definition": {json.dumps(definition.slug)}, "comments": ['
            for n, row in enumerate(rows()):
                yield ("," if n else "") + json.dumps(row)
            yield "]}"

        response = StreamingHttpResponse(reports.in_chunks(chunks()), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{slug}-comments.{fmt}"'
    return response


@require_safe
def annotations(request, slug, label):
    """Comments on a version as a W3C Web Annotation collection: each comment targets its clause
    in that version, with a TextQuoteSelector when it quotes a passage."""
    version = _published_version(slug, label)
    comments = (
        Comment.objects.filter(version=version, status=Comment.Status.VISIBLE)
        .select_related("author__profile", "clause")
        .order_by("created_at", "pk")
    )
    absolute = request.build_absolute_uri
    items = []
    for comment in comments:
        source = absolute(reverse("definition:clause", args=[slug, label, comment.clause.key]))
        target = {"source": source}
        if comment.quote:
            target["selector"] = {
                "type": "TextQuoteSelector",
                "exact": comment.quote,
                "prefix": comment.quote_prefix,
                "suffix": comment.quote_suffix,
            }
        author = comment.external_author if comment.is_external else comment.author.profile.name
        item = {
            "id": absolute(reverse("comments:permalink", args=[comment.pk])),
            "type": "Annotation",
            "motivation": "replying" if comment.parent_id else "commenting",
            "created": comment.created_at.isoformat(),
            "creator": {"type": "Person", "name": author},
            "body": {"type": "TextualBody", "value": comment.body, "format": "text/markdown"},
            "target": target,
        }
        if comment.edited_at:
            item["modified"] = comment.edited_at.isoformat()
        if comment.parent_id:
            item["target"] = [target, absolute(reverse("comments:permalink", args=[comment.parent_id]))]
        items.append(item)
    document = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": request.build_absolute_uri(),
        "type": "AnnotationCollection",
        "label": f"Comments on {version.definition.title} {version.label}",
        "total": len(items),
        "first": {"type": "AnnotationPage", "items": items},
    }
    return HttpResponse(
        json.dumps(document, indent=2),
        content_type='application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"',
    )
