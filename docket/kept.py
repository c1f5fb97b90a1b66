"""Renders kept by what they show.

A template rendered with plain values only (text, numbers, booleans, None, dates, and lists and
dicts of them) is kept in the shared cache under a digest of those values, of the template's
source and of the active language and time zone. The same comment shown again costs a cache
read; a changed one (edited, endorsed, its author renamed) has different values, so a different
key: nothing kept can be out of date, and no change has to forget anything. This is what keeps a
page of threads fast on the first render after a change: only what changed is rendered again.

The template gets no request, no user and no context processors, only the values; it must not
read anything else either (no {% url %}: pass the addresses as values)."""

import functools
import hashlib
from collections.abc import Callable, Sequence

import orjson
from django.core.cache import cache
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

KEPT_SECONDS = 7 * 24 * 3600


def render_each(
    template_name: str,
    contexts: Sequence[dict | Callable[[], dict]],
    *,
    also: Sequence[str] = (),
    keys: Sequence[str] | None = None,
    found: dict[str, str] | None = None,
) -> list[SafeString]:
    """Each context rendered through the template, or taken from the cache where the same
    template rendered the same values before; one cache read and at most one write for all.
    `also` names the templates this one includes, so a change to them is a new key too.

    With `keys` (from keys_of, of values that decide each render), a context may be a callable,
    called only for a render that is not kept; `found` is what a read of those keys gave already."""
    if not contexts:
        return []
    if keys is None:
        keys = keys_of(template_name, contexts, also=also)
    found = dict(found) if found is not None else read(keys)
    template = get_template(template_name)
    made: dict[str, str] = {}
    for key, context in zip(keys, contexts, strict=True):
        if key not in found:
            found[key] = made[key] = template.render(context() if callable(context) else context)
    store(made)
    return [mark_safe(found[key]) for key in keys]


def keys_of(template_name: str, values: Sequence[dict], *, also: Sequence[str] = ()) -> list[str]:
    """The keys renders of the template with these values are kept under. Each of `values` is
    what its render is made from, or anything that decides it: a part rendered and kept on its
    own may stand in it by its own key (the clause page's threads are keyed by their cards')."""
    made_by = _made_by(template_name, tuple(also))
    where = f"{translation.get_language()}:{timezone.get_current_timezone_name()}"
    return [f"kept:{made_by}:{_digest(one, where)}" for one in values]


def read(keys: Sequence[str]) -> dict[str, str]:
    """The renders kept under these keys (one cache read); a key not kept is missing."""
    return cache.get_many(list(dict.fromkeys(keys))) if keys else {}


def store(made: dict[str, str]) -> None:
    """Keep renders made for keys that `read` did not find (one cache write)."""
    if made:
        cache.set_many(made, timeout=KEPT_SECONDS)


# orjson writes text, numbers, booleans, None, dates, lists and dicts itself, four times as fast
# as the standard json module (2 ms of a clause page's 120 keys); anything else goes to _refuse,
# dataclasses included, which it would otherwise write as their fields.
_DIGEST_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


def _digest(context: dict, where: str) -> str:
    try:
        values = orjson.dumps(context, default=_refuse, option=_DIGEST_OPTIONS)
    except orjson.JSONEncodeError as exc:
        raise TypeError(str(exc.__cause__ or exc)) from None
    return hashlib.blake2b(f"{where}\x00".encode() + values, digest_size=16).hexdigest()


def _refuse(value):
    # A model instance or any other object would be keyed by what repr() says of it, not by
    # everything the template might read from it: refused, so a kept render cannot go stale.
    raise TypeError(f"a kept render takes plain values, not {type(value).__name__}")


@functools.lru_cache(maxsize=32)
def _made_by(template_name: str, also: tuple[str, ...]) -> str:
    """A short digest of the templates' sources (read once per process: templates do not change
    under a running process, and a deployment with new ones makes new keys)."""
    sources = [get_template(name).template.source for name in (template_name, *also)]
    return hashlib.blake2b("\x00".join(sources).encode(), digest_size=8).hexdigest()
