import functools
import html

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import strip_tags

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
    url = _id_url_template(name, get_urlconf(), get_script_prefix())
    return url.replace(str(_STAND_IN), str(int(pk)))


class SharedFragmentNode(template.Node):
    def __init__(self, nodelist, name, parts, when):
        self.nodelist, self.name, self.parts, self.when = nodelist, name, parts, when

    def render(self, context):
        from django.conf import settings
        from django.core.cache import cache

        from docket import pagecache

        seconds = getattr(settings, "PAGE_CACHE_SECONDS", 0)
        if seconds <= 0 or (self.when is not None and not self.when.resolve(context)):
            return self.nodelist.render(context)
        parts = ":".join(str(part.resolve(context)) for part in self.parts)
        # The page's own template too: templates that extend the one holding the fragment fill
        # its blocks in their own way.
        page = context.template.name if context.template is not None else ""
        key = f"fragment:{pagecache.generation()}:{self.name}:{page}:{parts}"
        found = cache.get(key)
        if found is None:
            found = self.nodelist.render(context)
            cache.set(key, found, timeout=seconds)
        return found


@register.tag
def shared_fragment(parser, token):
    """{% shared_fragment "name" part… [when=condition] %}…{% endshared_fragment %}: a part of a
    page that is the same for everyone who sees it, rendered once and kept with the public page
    cache (same lifetime, forgotten with it on every change), per page template. The parts name
    everything else the fragment depends on; with `when` false (or the page cache off) it is rendered every time.
    Nothing personal may be inside: no user, no form, no CSRF token."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("usage: {% shared_fragment name part… [when=condition] %}")
    when = None
    if bits[-1].startswith("when="):
        when = parser.compile_filter(bits.pop()[len("when=") :])
    nodelist = parser.parse(("endshared_fragment",))
    parser.delete_first_token()
    name = template.Variable(bits[0]).resolve({})  # a literal: the fragment's name
    return SharedFragmentNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[1:]], when)
