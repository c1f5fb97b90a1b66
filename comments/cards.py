"""What everyone sees of a comment (who wrote it, when, its text, its disposition, who endorsed
it), rendered once and kept by content (docket.kept): the clause page's threads and its comments
on earlier versions are put together from kept cards, and only a comment that changed is
rendered again. What depends on the person looking (their buttons and forms) stays in the page's
own template, around the cards.

The cards are made when the page first shows one, for every comment of its kind at once (one
cache read for the threads' comments, one for the earlier ones), so that what other apps add to
the comments before the page is rendered (the dispositions, from moderation) is on them."""

from django.urls import reverse
from django.utils.safestring import SafeString

from accounts.models import Profile
from docket import kept
from docket.templatetags.docket import url_maker

from .models import format_tracking_number

# Kept renders are split into their parts at this mark; no user text can hold it (bodies are
# sanitised without comments, everything else is escaped).
PART = "<!--card-part-->"
THREAD_CARD = "comments/_comment_card.html"
THREAD = "comments/_comment.html"
EARLIER_CARD = "comments/_earlier_card.html"
DISPOSITION = "moderation/_disposition.html"


def _card_html(comment) -> dict:
    card = comment.card
    return {"head": card.head, "main": card.main, "endorsers": card.endorsers}


def _comments_of(root):
    yield root
    for child in root.children:
        yield from _comments_of(child)


def _parts(html: str) -> list[SafeString]:
    """A card's head, main part and endorsers (an earlier comment's card has no endorsers)."""
    parts = [SafeString(part) for part in html.split(PART)]
    return parts + [SafeString("")] * (3 - len(parts))


class Card:
    """One comment's parts, made with the other cards of its kind on its page on first use."""

    def __init__(self, cards: "Cards", index: int):
        self._cards, self.index = cards, index

    def _part(self, n: int) -> SafeString:
        return self._cards.part(self.index, n)

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
    an anonymous reader, its whole threads too.

    A thread is kept under its shape and its cards' keys, not their HTML: a card's key stands
    for everything it shows. So the threads that are kept are found without reading their cards,
    and after a change only the changed thread's cards are read (or rendered) to draw it again."""

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
        self._person_url, self._permalink, self._cite_url, self._history_url = map(
            url_maker, ("person", "comments:permalink", "comments:cite", "comments:history")
        )
        self.thread_comments, self.earlier = thread_comments, earlier
        for index, comment in enumerate([*thread_comments, *earlier]):
            comment.card = Card(self, index)
        self._contexts = self._keys = None
        self._parts: dict[int, list[SafeString]] = {}
        self.roots = list(roots) if not user.is_authenticated else []
        self._threads_html = None
        for index, root in enumerate(self.roots):
            root.kept_thread = KeptThread(self, index)

    def part(self, index: int, n: int) -> SafeString:
        if index not in self._parts:
            # Every card of its kind at once: a page that shows one shows them all.
            self._load(self._thread_indices() if self._is_thread(index) else self._earlier_indices())
        return self._parts[index][n]

    def _is_thread(self, index: int) -> bool:
        return index < len(self.thread_comments)

    def _thread_indices(self) -> range:
        return range(len(self.thread_comments))

    def _earlier_indices(self) -> range:
        return range(len(self.thread_comments), len(self.thread_comments) + len(self.earlier))

    def keys(self) -> list[str]:
        """Each card's key (docket.kept), from the values it is rendered from."""
        if self._keys is None:
            self._contexts = [self._thread_values(c) for c in self.thread_comments] + [
                self._earlier_values(c) for c in self.earlier
            ]
            threads = len(self.thread_comments)
            self._keys = kept.keys_of(
                THREAD_CARD, self._contexts[:threads], also=[DISPOSITION]
            ) + kept.keys_of(EARLIER_CARD, self._contexts[threads:], also=[DISPOSITION])
        return self._keys

    def _load(self, indices) -> None:
        """The cards at these indices that are not loaded yet: one cache read per kind."""
        keys = self.keys()
        for kind, template in (
            (self._thread_indices(), THREAD_CARD),
            (self._earlier_indices(), EARLIER_CARD),
        ):
            wanted = [i for i in indices if i in kind and i not in self._parts]
            if wanted:
                rendered = kept.render_each(
                    template, [self._contexts[i] for i in wanted], keys=[keys[i] for i in wanted]
                )
                self._parts.update(zip(wanted, map(_parts, rendered), strict=True))

    def threads_html(self) -> list[SafeString]:
        if self._threads_html is None:
            keys = self.keys()
            thread_keys = kept.keys_of(
                THREAD, [{"comment": self._shape(root, lambda c: keys[c.card.index])} for root in self.roots]
            )
            found = kept.read(thread_keys)
            redrawn = [root for root, key in zip(self.roots, thread_keys, strict=True) if key not in found]
            self._load([c.card.index for root in redrawn for c in _comments_of(root)])
            self._threads_html = kept.render_each(
                THREAD,
                [lambda root=root: {"comment": self._shape(root, _card_html)} for root in self.roots],
                keys=thread_keys,
                found=found,
            )
        return self._threads_html

    def _shape(self, comment, card) -> dict:
        """What the thread template reads of a comment for a reader without an account, with
        `card(comment)` for its card: the card's parts to draw it, or its key to key it by."""
        return {
            "pk": comment.pk,
            "depth": comment.depth,
            "flattened": comment.flattened,
            "shown": comment.shown,
            "card": card(comment),
            "children": [self._shape(child, card) for child in comment.children],
        }

    def _common(self, comment) -> dict:
        return {
            "pk": comment.pk,
            "author": comment.author_name,
            "author_url": self._person_url(comment.author_id),
            "affiliation": comment.author_affiliation,
            "created_at": comment.created_at,
            "permalink": self._permalink(comment.pk),
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
            "cite_url": self._cite_url(comment.pk),
            "history_url": self._history_url(comment.pk) if comment.edited_at and comment.is_visible else "",
            "in_reply_to": [parent.pk, parent.author_name] if parent is not None else None,
            "notice": self._notice(comment),
            "endorsements": [
                [
                    self._person_url(e.person_id),
                    Profile.public_name(e.person_display_name, e.person_id),
                    e.note,
                ]
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
        # Read with the version's label only (moderation.reading_views._clause_extras).
        addressed_in = disposition.addressed_in_label or ""
        duplicate_id = disposition.duplicate_of_id
        answer = disposition.answer
        return {
            "status": disposition.status,
            "status_label": disposition.get_status_display(),
            "drove_revision": disposition.drove_revision,
            "addressed_in": addressed_in,
            "changes_url": reverse("record:changes", args=[self.definition_slug, addressed_in])
            if disposition.drove_revision
            else "",
            "duplicate_url": self._permalink(duplicate_id) if duplicate_id else "",
            "duplicate_tracking_number": format_tracking_number(duplicate_id) if duplicate_id else "",
            "decided_at": disposition.decided_at,
            "rationale_html": disposition.rationale_html,
            "answer": {"verdict": answer.verdict, "note": answer.note} if answer is not None else None,
        }
