"""What everyone sees of a comment (who wrote it, when, its text, its disposition, who endorsed
it), rendered once and kept by content (docket.kept): the clause page's threads and its comments
on earlier versions are put together from kept cards, and only a comment that changed is
rendered again. What depends on the person looking (their buttons and forms) stays in the page's
own template, around the cards.

The cards are made when the page first shows one, for every comment of the page at once (one
cache read), so that what other apps add to the comments before the page is rendered (the
dispositions, from moderation) is on them."""

from django.urls import reverse
from django.utils.safestring import SafeString

from docket.kept import render_each
from docket.templatetags.docket import url_for_id

# Kept renders are split into their parts at this mark; no user text can hold it (bodies are
# sanitised without comments, everything else is escaped).
PART = "<!--card-part-->"
THREAD_CARD = "comments/_comment_card.html"
THREAD = "comments/_comment.html"
EARLIER_CARD = "comments/_earlier_card.html"
DISPOSITION = "moderation/_disposition.html"


def _parts(html: str) -> list[SafeString]:
    """A card's head, main part and endorsers (an earlier comment's card has no endorsers)."""
    parts = [SafeString(part) for part in html.split(PART)]
    return parts + [SafeString("")] * (3 - len(parts))


class Card:
    """One comment's parts, made with every other card of its page on first use."""

    def __init__(self, cards: "Cards", index: int):
        self._cards, self._index = cards, index

    def _part(self, n: int) -> SafeString:
        return self._cards.parts()[self._index][n]

    @property
    def head(self) -> SafeString:
        return self._part(0)

    @property
    def main(self) -> SafeString:
        return self._part(1)

    @property
    def endorsers(self) -> SafeString:
        return self._part(2)


class KeptThread:
    """A whole thread as an anonymous reader sees it, made with every other thread of its page on
    first use: the thread template rendered from its cards and its shape only, kept by content
    (docket.kept). A reader without an account has no controls on any comment, so the whole
    thread is the same for all of them."""

    def __init__(self, cards: "Cards", index: int):
        self._cards, self._index = cards, index

    def __html__(self) -> SafeString:
        return self._cards.threads_html()[self._index]

    __str__ = __html__


class Cards:
    """The cards of one page: its threads' comments and its comments on earlier versions; for
    an anonymous reader, its whole threads too."""

    def __init__(
        self,
        *,
        user,
        definition_slug: str,
        version_label: str,
        thread_comments: list,
        earlier: list,
        roots=(),
    ):
        self.user, self.definition_slug, self.version_label = user, definition_slug, version_label
        self.thread_comments, self.earlier = thread_comments, earlier
        self._parts = None
        for index, comment in enumerate([*thread_comments, *earlier]):
            comment.card = Card(self, index)
        self.roots = list(roots) if not user.is_authenticated else []
        self._threads_html = None
        for index, root in enumerate(self.roots):
            root.kept_thread = KeptThread(self, index)

    def threads_html(self) -> list[SafeString]:
        if self._threads_html is None:
            self._threads_html = render_each(THREAD, [{"comment": self._shape(root)} for root in self.roots])
        return self._threads_html

    def _shape(self, comment) -> dict:
        """What the thread template reads of a comment for a reader without an account."""
        card = comment.card
        return {
            "pk": comment.pk,
            "depth": comment.depth,
            "flattened": comment.flattened,
            "shown": comment.shown,
            "card": {"head": card.head, "main": card.main, "endorsers": card.endorsers},
            "children": [self._shape(child) for child in comment.children],
        }

    def parts(self) -> list[list[SafeString]]:
        if self._parts is None:
            rendered = render_each(
                THREAD_CARD, [self._thread_values(c) for c in self.thread_comments], also=[DISPOSITION]
            ) + render_each(EARLIER_CARD, [self._earlier_values(c) for c in self.earlier], also=[DISPOSITION])
            self._parts = [_parts(html) for html in rendered]
        return self._parts

    def _common(self, comment) -> dict:
        return {
            "pk": comment.pk,
            "author": comment.author_name,
            "author_url": url_for_id("person", comment.author_id),
            "affiliation": comment.author_affiliation,
            "created_at": comment.created_at,
            "permalink": url_for_id("comments:permalink", comment.pk),
            "tracking_number": comment.tracking_number,
            "version_label": comment.version.label,
            "shown": comment.shown,
            "placeholder": comment.placeholder,
            "quote": comment.quote,
            "body_html": comment.body_html if comment.shown else "",
            "disposition": self._disposition(getattr(comment, "disposition", None))
            if comment.shown
            else None,
        }

    def _thread_values(self, comment) -> dict:
        values = self._common(comment)
        parent = comment.parent_comment if comment.flattened else None
        values |= {
            "external": comment.is_external,
            "external_author": comment.external_author,
            "source": comment.source,
            "source_url": comment.source_url,
            "on_behalf_of": comment.on_behalf_of if comment.is_visible else "",
            "cite_url": url_for_id("comments:cite", comment.pk),
            "history_url": url_for_id("comments:history", comment.pk)
            if comment.edited_at and comment.is_visible
            else "",
            "in_reply_to": [parent.pk, parent.author_name] if parent is not None else None,
            "notice": self._notice(comment),
            "endorsements": [
                [url_for_id("person", e.person_id), e.person.profile.name, e.note]
                for e in comment.endorsement_list
            ]
            if comment.shown
            else [],
        }
        return values

    def _earlier_values(self, comment) -> dict:
        anchor = comment.anchor
        return self._common(comment) | {
            "reply_total": comment.reply_total,
            "endorsement_total": comment.endorsement_total,
            "shown_in": self.version_label,
            "anchor": None if anchor is None else {"status": anchor.status, "now_reads": anchor.now_reads},
        }

    def _notice(self, comment) -> str:
        """What the author or a moderator reads above a comment that others do not see."""
        if not comment.shown or comment.is_visible:
            return ""
        why = "wrote it" if comment.author_id == self.user.pk else "are a moderator"
        return f"{comment.placeholder} You see its text because you {why}."

    def _disposition(self, disposition) -> dict | None:
        if disposition is None:
            return None
        addressed_in = disposition.addressed_in
        duplicate = disposition.duplicate_of
        answer = disposition.answer
        return {
            "status": disposition.status,
            "status_label": disposition.get_status_display(),
            "drove_revision": disposition.drove_revision,
            "addressed_in": addressed_in.label if addressed_in is not None else "",
            "changes_url": reverse("record:changes", args=[self.definition_slug, addressed_in.label])
            if disposition.drove_revision
            else "",
            "duplicate_url": url_for_id("comments:permalink", duplicate.pk) if duplicate is not None else "",
            "duplicate_tracking_number": duplicate.tracking_number if duplicate is not None else "",
            "decided_at": disposition.decided_at,
            "rationale_html": disposition.rationale_html,
            "answer": {"verdict": answer.verdict, "note": answer.note} if answer is not None else None,
        }
