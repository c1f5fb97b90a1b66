import functools
from dataclasses import dataclass
from datetime import timedelta
from html import escape

from django.db.models import F, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from accounts.models import Profile
from docket import pagecache
from docket.deferred import DeferredList
from docket.diff import same_text
from docket.pagecache import public_page

from .changes import TextRow, change_between, compare_texts
from .models import UNTITLED, ClauseText, Definition, Named, Version, is_steward

ANNOUNCE_DAYS = 30


class Page:
    """How another app adds to a reading page without this app knowing it (the dependency arrow
    points from comments to definition): a template that extends ours, and a function that
    adds to the context."""

    def __init__(self, template: str, extend=None):
        self.template = template
        self.extend = extend

    def render(self, request, context, status=200):
        if self.extend is not None:
            context.update(self.extend(request, context))
        return render(request, self.template, context, status=status)


VERSION_PAGE = Page("definition/version.html")
CLAUSE_PAGE = Page("definition/clause.html")


def _kept_for_readers(request, key: str, make):
    """What shows only published text, for everyone but stewards (who see drafts too): kept
    under the record's generation while the page cache is on, since it changes only when the
    record does (docket.pagecache.keep)."""
    if is_steward(request.user):
        return make()
    return pagecache.keep(key, make, pagecache.record_generation)


def _shared_page(request, version) -> bool:
    """Whether the parts of a page about this version that show the record only are the same
    for this visitor as for everyone, so kept until the record changes ({% shared_fragment …
    record %}): a published version, seen by anyone but a steward (who sees drafts and their
    own links)."""
    return version.is_published and not is_steward(request.user)


def _definition_and_versions(request, slug):
    """The definition and the versions this person may see, oldest first (one query; two when
    nothing is visible). Every reading page starts with it: kept for readers."""
    return _kept_for_readers(request, f"published-versions:{slug}", lambda: _read_versions(request, slug))


def _read_versions(request, slug):
    versions = list(
        Version.objects.visible_to(request.user)
        .filter(definition__slug=slug)
        .select_related("definition")
        # The publisher's name only, not their user and profile rows (a third of this query's
        # time, on every reading page).
        .annotate(publisher_display_name=F("published_by__profile__display_name"))
        .order_by("sequence")
    )
    for version in versions:
        version.publisher_name = (
            Profile.public_name(version.publisher_display_name, version.published_by_id)
            if version.published_by_id
            else ""
        )
    definition = versions[0].definition if versions else get_object_or_404(Definition, slug=slug)
    return definition, versions


def _find(versions, label) -> Version:
    for version in versions:
        if version.label == label:
            return version
    raise Http404("No such version.")


def _previous_published(versions, version) -> Version | None:
    earlier = [v for v in versions if v.sequence < version.sequence and v.is_published]
    return earlier[-1] if earlier else None


def _latest_published(versions) -> Version | None:
    published = [v for v in versions if v.is_published]
    return published[-1] if published else None


@public_page
def home(request):
    definitions = Definition.objects.order_by("title")
    if not is_steward(request.user):
        # A definition nobody has published yet is the stewards' business.
        definitions = definitions.filter(versions__status=Version.Status.PUBLISHED).distinct()
    definitions = list(definitions)
    if len(definitions) == 1:
        return redirect(definitions[0])
    return render(request, "definition/home.html", {"definitions": definitions})


@public_page
def latest_version(request, slug, *, page=VERSION_PAGE):
    definition, versions = _definition_and_versions(request, slug)
    version = _latest_published(versions)
    if version is None:
        if not is_steward(request.user):
            raise Http404("Nothing of this definition is published yet.")
        draft = versions[-1] if versions else None
        return render(request, "definition/no_version.html", {"definition": definition, "draft": draft})
    return _render_version(request, definition, versions, version, page, is_latest_address=True)


@public_page
def version_detail(request, slug, label, *, page=VERSION_PAGE):
    definition, versions = _definition_and_versions(request, slug)
    return _render_version(request, definition, versions, _find(versions, label), page)


def _clauses_and_changes(definition, version, previous) -> tuple[list[ClauseText], list[dict]]:
    """The version's clause texts, each with its address and what changed since `previous`, and
    the clauses removed since (two queries)."""
    texts = list(version.clause_texts.select_related("clause").order_by("position"))
    # Each clause's address from the version's, without a URL reversal per clause.
    version_url = reverse("definition:version", args=[definition.slug, version.label])
    for text in texts:
        text.url = f"{version_url}{text.clause.key}/"
    removed = []
    if previous is not None:
        before = {
            clause_id: (key, heading, body)
            for clause_id, key, heading, body in previous.clause_texts.order_by("position").values_list(
                "clause_id", "clause__key", "heading", "body"
            )
        }
        for text in texts:
            old = before.pop(text.clause_id, None)
            if old is None:
                text.change = "new"
            elif not same_text(old[1], text.heading):
                text.change = "renamed"
            elif not same_text(old[2], text.body):
                text.change = "changed"
            else:
                text.change = ""
        removed = [{"key": key, "heading": heading or UNTITLED} for key, heading, _ in before.values()]
    return texts, removed


def _render_version(request, definition, versions, version, page, *, is_latest_address=False):
    previous = _previous_published(versions, version)
    # The clauses are read only when the page's shared fragment is rendered (see version.html).
    clauses = functools.cache(lambda: _clauses_and_changes(definition, version, previous))
    texts = DeferredList(lambda: clauses()[0])
    removed = DeferredList(lambda: clauses()[1])
    latest = _latest_published(versions)
    return page.render(
        request,
        {
            "definition": definition,
            "version": version,
            "versions": versions,
            "previous": previous,
            "latest": latest,
            "texts": texts,
            "removed": removed,
            "compare_url": reverse(
                "definition:compare", args=[definition.slug, (previous.label, version.label)]
            )
            if previous
            else "",
            "is_latest_address": is_latest_address,
            # Everything but the comment counts shows the record only.
            "shared_page": _shared_page(request, version),
            # The definition's own page announces a version published in the last month.
            "announce": is_latest_address
            and version.published_at is not None
            and version.published_at > timezone.now() - timedelta(days=ANNOUNCE_DAYS),
        },
    )


@dataclass(frozen=True)
class Neighbour(Named):
    """The clause before or after another in its version, as the clause page links it."""

    key: str
    number: str
    heading: str

    @classmethod
    def of(cls, found: dict | None) -> "Neighbour | None":
        return None if found is None else cls(found["key"], found["number"], found["heading"])


def _neighbour(*, before: bool) -> Subquery:
    """The key, number and heading of the clause just before (or after) a clause text in its
    version, as one JSON column."""
    siblings = ClauseText.objects.filter(version=OuterRef("version"))
    if before:
        siblings = siblings.filter(position__lt=OuterRef("position")).order_by("-position")
    else:
        siblings = siblings.filter(position__gt=OuterRef("position")).order_by("position")
    found = siblings.values(found=JSONObject(key="clause__key", number="number", heading="heading"))
    return Subquery(found.values("found")[:1], output_field=JSONField())


def _clause_in_every_version(request, definition, versions, key) -> dict[int, ClauseText]:
    """This clause in every version this person may see, each with its neighbours in its version
    (one query): the text shown, the one it is compared with, and the versions that have it.
    Kept for readers, as the versions are (building this query costs more than running it)."""
    return _kept_for_readers(
        request,
        f"clause-texts:{definition.pk}:{key}",
        lambda: {
            t.version_id: t
            for t in ClauseText.objects.select_related("clause")
            .filter(clause__definition=definition, clause__key=key, version__in=[v.pk for v in versions])
            .annotate(previous_clause=_neighbour(before=True), next_clause=_neighbour(before=False))
        },
    )


@public_page
def clause_detail(request, slug, label, key, *, page=CLAUSE_PAGE):
    definition, versions = _definition_and_versions(request, slug)
    version = _find(versions, label)
    by_version = _clause_in_every_version(request, definition, versions, key)
    text = by_version.get(version.pk)
    if text is None:
        clause = definition.clauses.filter(key=key).first()
        return render(
            request,
            "definition/clause_missing.html",
            {
                "definition": definition,
                "version": version,
                "clause": clause if by_version else None,
                "key": key,
            },
            status=404,
        )
    version_by_pk = {v.pk: v for v in versions}
    for other in by_version.values():
        other.version = version_by_pk[other.version_id]
    previous_text = Neighbour.of(text.previous_clause)
    next_text = Neighbour.of(text.next_clause)

    version_ids = set(by_version)
    present_in = [v for v in versions if v.pk in version_ids]

    earlier = _previous_published(versions, version)
    change = None
    if earlier is not None:
        change = change_between(by_version.get(earlier.pk), text)
    latest = _latest_published(versions)
    return page.render(
        request,
        {
            "definition": definition,
            "version": version,
            "versions": versions,
            "text": text,
            "previous_text": previous_text,
            "next_text": next_text,
            "present_in": present_in,
            "earlier": earlier,
            "change": change,
            "latest": latest,
            "in_latest": latest is not None and latest.pk in version_ids,
            "permalink": request.build_absolute_uri(
                reverse("definition:clause", args=[definition.slug, version.label, text.clause.key])
            ),
            "latest_link": request.build_absolute_uri(
                reverse("definition:latest_clause", args=[definition.slug, text.clause.key])
            ),
            # What the citations say it was accessed on.
            "today": timezone.localdate(),
            # The header, the links and the citations show the record only.
            "shared_page": _shared_page(request, version),
        },
    )


@require_safe
def latest_clause(request, slug, key):
    """The clause in the newest published version; a removed clause leads to its history."""
    definition = get_object_or_404(Definition, slug=slug)
    clause = get_object_or_404(definition.clauses, key=key)
    newest = definition.versions.published().order_by("-sequence").first()
    found = (
        clause.texts.filter(version__status=Version.Status.PUBLISHED)
        .select_related("version")
        .order_by("-version__sequence")
        .first()
    )
    if found is None:
        raise Http404("This clause has not been published.")
    if found.version_id != newest.pk:
        return redirect("definition:clause_history", definition.slug, clause.key)
    return redirect("definition:clause", definition.slug, found.version.label, clause.key)


@require_safe
def compare_form(request, slug):
    """The no-JavaScript version picker: GET ?a=...&b=... leads to the permanent compare address."""
    definition, versions = _definition_and_versions(request, slug)
    labels = {v.label for v in versions}
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if a in labels and b in labels:
        return redirect("definition:compare", definition.slug, (a, b))
    if len(versions) >= 2 and not (a or b):
        return redirect("definition:compare", definition.slug, (versions[-2].label, versions[-1].label))
    return render(
        request,
        "definition/compare.html",
        {"definition": definition, "versions": versions, "rows": None, "error": bool(a or b)},
        status=404 if (a or b) else 200,
    )


@public_page
def compare(request, slug, labels):
    definition, versions = _definition_and_versions(request, slug)
    old_version, new_version = _find(versions, labels[0]), _find(versions, labels[1])
    rows = compare_texts(*TextRow.of_versions(old_version, new_version))
    # Each row's links from the versions' addresses, without a URL reversal per row.
    new_url = reverse("definition:version", args=[definition.slug, new_version.label])
    old_url = reverse("definition:version", args=[definition.slug, old_version.label])
    history_url = reverse("definition:clause_history", args=[definition.slug, "-"]).removesuffix("-/")
    counts = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
        row.url = f"{new_url if row.new else old_url}{row.key}/"
        row.history_url = f"{history_url}{row.key}/"
    return render(
        request,
        "definition/compare.html",
        {
            "definition": definition,
            "versions": versions,
            "old_version": old_version,
            "new_version": new_version,
            "rows": rows,
            "shown_rows": _unchanged_runs_drawn(rows),
            "counts": counts,
        },
    )


@dataclass(slots=True)
class UnchangedRun:
    """Consecutive unchanged rows of a compare page, drawn as one piece of HTML."""

    html: str
    status = "unchanged"


def _unchanged_runs_drawn(rows):
    """The rows, with each run of unchanged ones drawn here (a link and a badge each) with the
    standard library's escape: most of a compare page's rows are unchanged, and the template
    took 1.2 ms of the uncached page to draw 85 of them one by one (format_html_join, 0.8)."""
    out, run = [], []
    for row in [*rows, None]:
        if row is not None and row.status == "unchanged":
            run.append(
                f'<li class="compare-row status-unchanged" id="{escape(row.key)}"><h2 class="compare-heading">'
                f'<a href="{escape(row.url)}">{escape(row.label)}</a> '
                '<span class="badge change-unchanged">unchanged</span></h2></li>'
            )
            continue
        if run:
            out.append(UnchangedRun(mark_safe("".join(run))))  # every value escaped above
            run = []
        if row is not None:
            out.append(row)
    return out


HISTORY_PAGE = Page("definition/history.html")


@public_page
def clause_history(request, slug, key, *, page=HISTORY_PAGE):
    definition, versions = _definition_and_versions(request, slug)
    clause = get_object_or_404(definition.clauses, key=key)
    by_version = {
        text.version_id: text
        for text in clause.texts.filter(version__in=[v.pk for v in versions]).select_related("clause")
    }
    if not by_version:
        raise Http404("No visible version has this clause.")
    # Walk the versions in order, noting where the clause appears, changes, leaves or returns.
    entries = []
    previous_text = None
    for version in versions:
        text = by_version.get(version.pk)
        if text is None:
            if previous_text is not None:
                entries.append(
                    {"version": version, "removed": True, "change": change_between(previous_text, None)}
                )
                previous_text = None
            continue
        text.version = version
        change = change_between(previous_text, text)
        entries.append({"version": version, "text": text, "change": change, "first": not entries})
        previous_text = text
    entries.reverse()
    current = next((e["text"] for e in entries if "text" in e), None)
    return page.render(
        request,
        {
            "definition": definition,
            "clause": clause,
            "entries": entries,
            "current": current,
            "removed": bool(entries) and entries[0].get("removed", False),
        },
    )
