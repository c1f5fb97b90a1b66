import functools
import hashlib
import html
import re
from collections.abc import Callable
from itertools import chain, zip_longest

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, strip_tags
from django.utils.safestring import mark_safe

from docket import pagecache

register = template.Library()


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # Plain, single-line text (tags dropped, entities decoded) for <title>, descriptions and
        # link-preview tags; the template escapes it once where it is used.
        context[self.name] = " ".join(html.unescape(strip_tags(self.nodelist.render(context))).split())
        return ""


@register.tag
def capture(parser, token):
    """{% capture name %}...{% endcapture %}: render the content once, keep it as text in `name`."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("usage: {% capture name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])


# A page of threads links each comment to a dozen actions; reversing each URL walks the URL
# patterns every time. A pattern with one number in it is reversed once, with a stand-in number,
# and then only the number changes.
_STAND_IN = 987_654_321


@functools.lru_cache(maxsize=256)
def _id_url_template(name: str, urlconf, prefix: str) -> str:
    url = reverse(name, args=[_STAND_IN], urlconf=urlconf)
    if url.count(str(_STAND_IN)) != 1:
        raise template.TemplateSyntaxError(f"{name} does not take exactly one number")
    return url


@register.simple_tag
def url_for_id(name, pk):
    """{% url_for_id 'comments:reply' comment.pk %}: what {% url %} gives, for a URL whose only
    argument is an integer, without reversing the pattern for each object."""
    return url_maker(name)(pk)


def url_maker(name) -> Callable[[int], str]:
    """url_for_id for many objects in a row: the pattern (and the request's URL settings) looked
    up once, then each URL is the number put in its place."""
    head, tail = _id_url_template(name, get_urlconf(), get_script_prefix()).split(str(_STAND_IN))
    return lambda pk: f"{head}{int(pk)}{tail}"


# A fragment kept `lasting` shows what never changes (a published version's text): it is not
# forgotten with the page cache's generation, only after this long, so a cache that fills up can
# still let it go.
LASTING_SECONDS = 24 * 3600
# What a fragment holds in place of a live part; filled in on every request.
_LIVE_MARK = "<!--live:{}:{}-->"
_LIVE = re.compile(r"<!--live:(\w+):(\w*)-->")
_MARKING = "_shared_fragment_marks_live_parts"


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, name, parts, when, keep):
        self.nodelist, self.name, self.parts, self.when, self.keep = nodelist, name, parts, when, keep

    def render(self, context):
        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
        if seconds <= 0 or (self.when is not None and not self.when.resolve(context)):
            return self.nodelist.render(context)
        parts = ":".join(str(part.resolve(context)) for part in self.parts)
        # The page's own template too: templates that extend the one holding the fragment fill
        # its blocks in their own way.
        page = context.template.name if context.template is not None else ""

        def make():
            with context.push({_MARKING: True}):
                return self.nodelist.render(context)

        if self.keep == "lasting":
            # Kept across deployments too, so the key says which templates made it.
            made_by = _digest(context.template.source if context.template else "", self.origin.template_name)
            key = f"fragment:lasting:{made_by}:{self.name}:{page}:{parts}"
            found = pagecache.keep(key, make, None, seconds=LASTING_SECONDS)
        else:
            generation = pagecache.record_generation if self.keep == "record" else pagecache.generation
            found = pagecache.keep(
                f"fragment:{self.keep or 'page'}:{self.name}:{page}:{parts}", make, generation
            )
        if context.get(_MARKING):
            # Inside a fragment being kept: its live parts are filled in when that one is served.
            return mark_safe(found)
        pieces = _pieces(found)
        functions = {name: context[name] for name, _ in set(pieces[1::2])}
        values = [str(conditional_escape(functions[name](argument))) for name, argument in pieces[1::2]]
        return mark_safe("".join(chain.from_iterable(zip_longest(pieces[::2], values, fillvalue=""))))


@functools.lru_cache(maxsize=16)
def _pieces(kept: str) -> tuple:
    """A kept fragment cut at its live parts: text, (name, argument), text, … Asked of the same
    fragment on every request that shows it; the cut is made once per process."""
    cut = _LIVE.split(kept)
    return tuple(cut[:1]) + tuple(
        piece for i in range(1, len(cut), 3) for piece in ((cut[i], cut[i + 1]), cut[i + 2])
    )


@functools.lru_cache(maxsize=64)
def _digest(page_source: str, fragment_template: str | None) -> str:
    """A short digest of the page's template and of the one that holds the fragment (read once
    per process: templates do not change under a running process)."""
    holder = get_template(fragment_template).template.source if fragment_template else ""
    return hashlib.sha256((page_source + "\x00" + holder).encode()).hexdigest()[:12]


def _live_value(context, name, argument):
    return conditional_escape(context[name](argument))


@register.tag
def shared_fragment(parser, token):
    """{% shared_fragment "name" part… [when=condition] [lasting|record] %}…{% endshared_fragment %}:
    a part of a page that is the same for everyone who sees it, rendered once and kept with the
    public page cache (same lifetime, forgotten with it on every change), per page template. The
    parts name everything else the fragment depends on; with `when` false (or the page cache
    off) it is rendered every time. `lasting` keeps what never changes past the page cache's
    changes; `record` keeps what shows only the record (and its publishers' names) until it
    changes (the record's generation, docket.pagecache); what does change inside either
    is a {% live %} part, filled in on every request. Fragments may hold fragments.
    Nothing personal may be inside: no user, no form, no CSRF token."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError(
            "usage: {% shared_fragment name part… [when=condition] [lasting|record] %}"
        )
    keep = bits.pop() if bits[-1] in ("lasting", "record") else None
    when = None
    if bits[-1].startswith("when="):
        when = parser.compile_filter(bits.pop()[len("when=") :])
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    name = _literal(bits[0])
    return SharedFragmentNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[1:]], when, keep)


def _literal(bit: str) -> str:
    """A quoted name in a tag (a fragment's, a live part's function's)."""
    if len(bit) < 3 or bit[0] != bit[-1] or bit[0] not in "\"'":
        raise template.TemplateSyntaxError(f"expected a quoted name, not {bit}")
    return bit[1:-1]


class LiveNode(template.Node):
    def __init__(self, name, argument):
        self.name, self.argument = name, argument

    def render(self, context):
        argument = str(self.argument.resolve(context))
        if not re.fullmatch(r"\w*", argument):
            raise ValueError(f"{{% live %}} takes a number or a word, not {argument!r}")
        if context.get(_MARKING):
            return _LIVE_MARK.format(self.name, argument)
        return _live_value(context, self.name, argument)


@register.tag
def live(parser, token):
    """{% live "name" argument %}: what `name` (a function in the context, given the argument as
    text) says now, even inside a kept shared fragment. The argument is a number or a word."""
    bits = token.split_contents()[1:]
    if len(bits) != 2:
        raise template.TemplateSyntaxError("usage: {% live name argument %}")
    name = _literal(bits[0])
    if not re.fullmatch(r"\w+", name):
        raise template.TemplateSyntaxError("{% live %} takes a function's name")
    return LiveNode(name, parser.compile_filter(bits[1]))
