import html

from django import template
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
