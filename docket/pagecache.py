"""The public page cache: reading pages as an anonymous visitor sees them, kept in the shared
cache, so a spike of readers (a link in the news) costs one render per page per change.

- Only GET/HEAD from someone with no session and no pending messages, on views marked with
  `public_page`, with no query string other than the page's own (`page`, `sort`).
- Only a 200 that sets no cookie and used no CSRF token is stored.
- Any saved or deleted row of a model a reading page shows bumps one generation number (after
  the transaction commits, so a reader can never store a page from before the change under the
  new generation); every cached page of an older generation is then ignored. Writes that bypass
  model signals (queryset updates) are bounded by the entry's lifetime, PAGE_CACHE_SECONDS.
- A second number, the record's generation, is bumped only by changes to the record itself
  (definitions, versions, clauses, clause texts) and to the name of someone who published a
  version: what shows only those (the published versions, a clause's texts, {% shared_fragment
  … record %}) outlives the comments' activity.
Signed-in people always get a fresh render of the page: it carries forms, their own controls, and
what a moderator may see. Parts of it that are the same for everyone may come from the cache
under the same generation ({% shared_fragment %} in docket/templatetags/docket.py).
"""

import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

GENERATION_KEY = "pagecache:generation"
RECORD_GENERATION_KEY = "pagecache:record-generation"
ALLOWED_PARAMS = {"page", "sort"}
HEADER = "X-Docket-Page-Cache"


def public_page(view):
    """Marks a view whose anonymous rendering may be shared by every anonymous visitor. Such a
    page only reads: it answers GET and HEAD, and 405 to any other method."""
    view = require_safe(view)
    view.public_page = True
    return view


def _fresh_generation() -> int:
    """A number above any generation used before, should the counter be lost (evicted by a full
    cache, or a fresh one): the time in milliseconds, which outruns one bump per write."""
    return time.time_ns() // 1_000_000


def _restart(key: str) -> int:
    """A lost counter starts again above any number it had (another process may start it first)."""
    cache.add(key, _fresh_generation(), timeout=None)
    value = cache.get(key)
    return value if value is not None else _fresh_generation()


def generation_of(key: str) -> int:
    """The current number of a generation counter of its own (the page cache has two below)."""
    value = cache.get(key)
    return value if value is not None else _restart(key)


def bump(*keys: str) -> None:
    """Move generation counters on (in one round trip with Redis): what was kept under their
    older numbers is never read again."""
    incr_many = getattr(cache, "incr_many", None)  # docket.redis_cache has it; other caches not
    if incr_many is not None:
        missing = [key for key, value in incr_many(keys).items() if value is None]
    else:
        missing = []
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:
                missing.append(key)
    for key in missing:
        _restart(key)


# Counters to move on once the current transaction commits, gathered per thread (a thread has
# its own database connection): each change registers a callback, and the first to run moves
# every gathered counter in one go; the others find nothing left. A key gathered by a change
# that rolled back is moved on by the next commit: one bump too many only forgets kept things.
_to_bump = threading.local()


def bump_when_committed(*keys: str) -> None:
    """`bump(*keys)` once the current transaction commits (at once outside one), together with
    what other changes of the same transaction asked for."""
    _to_bump.__dict__.setdefault("keys", {}).update(dict.fromkeys(keys))
    transaction.on_commit(_bump_gathered)


def _bump_gathered() -> None:
    keys = _to_bump.__dict__.pop("keys", None)
    if keys:
        bump(*keys)
        _forget_read_in_request()


def keep(
    key: str,
    make: Callable[[], object],
    generation: Callable[[], int] | None,
    *,
    seconds: int | None = None,
):
    """What `make()` returns, kept under `key` and the current number of `generation` while the
    page cache is on (a cache every process shares), at most as long as a cached page; made
    again once that generation moves on. With no generation (what never changes), kept for
    `seconds` under `key` alone. With the page cache off, made every time."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return make()
    full_key = key if generation is None else f"{key}:{generation()}"
    held = _local.get(full_key)
    if held is not None:
        return held if isinstance(held, str) else pickle.loads(held)
    seconds = seconds or settings.PAGE_CACHE_SECONDS
    found = cache.get(full_key)
    if found is None:
        found = make()
        cache.set(full_key, found, timeout=seconds)
    _local.put(full_key, found if isinstance(found, str) else pickle.dumps(found), seconds)
    return found


class _LocalCopies:
    """What is kept, held in this process's memory as well, in front of the shared cache: what
    is kept under a generation's number, or for good, never changes under its key, so a copy
    here cannot be out of date; another process's change moves the generation, which every
    request reads from the shared cache, and the copy is not asked for again. Text (fragments of
    pages) as it is; an object pickled, and unpickled for each request, as a request may change
    its copy. Up to `limit` characters or bytes, the least recently used let go first; each for
    the entry's lifetime from when this process read it (so at most twice it, for one read late)."""

    def __init__(self, limit: int):
        self._items: OrderedDict[str, tuple[float, str | bytes]] = OrderedDict()
        self._size, self._limit = 0, limit
        self._lock = threading.Lock()

    def get(self, key: str) -> str | bytes | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] < time.monotonic():
                self._drop(key)
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: str, text: str | bytes, seconds: int) -> None:
        if len(text) > self._limit:
            return
        with self._lock:
            if key in self._items:
                self._drop(key)
            self._items[key] = (time.monotonic() + seconds, text)
            self._size += len(text)
            while self._size > self._limit:
                self._drop(next(iter(self._items)))

    def _drop(self, key: str) -> None:
        _, text = self._items.pop(key)
        self._size -= len(text)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0


# 16 million characters or bytes: a version page's kept text is about 200,000.
_local = _LocalCopies(16_000_000)


def forget_local() -> None:
    """Drop this process's copies of what is kept (tests that empty the shared cache do)."""
    _local.clear()


# Both generations as read once in the current request (the middleware sets it up): a page asks
# for them several times (its own key, the published versions, each fragment), one round trip.
_read_in_request: ContextVar[dict | None] = ContextVar("pagecache_generations", default=None)


def generation() -> int:
    return _read(GENERATION_KEY)


def record_generation() -> int:
    return _read(RECORD_GENERATION_KEY)


def _read(key: str) -> int:
    remembered = _read_in_request.get()
    if remembered is not None and key in remembered:
        return remembered[key]
    found = cache.get_many([GENERATION_KEY, RECORD_GENERATION_KEY])
    for name in (GENERATION_KEY, RECORD_GENERATION_KEY):
        if found.get(name) is None:
            found[name] = _restart(name)
    if remembered is not None:
        remembered.update(found)
    return found[key]


def forget_now(*, record: bool = False) -> None:
    """Forget every cached page at once (what a committed change does; `invalidate` waits for
    the commit), and with `record`, every part kept under the record's generation too. The
    benchmark times first renders after a change with it."""
    bump(*_generations(record))
    _forget_read_in_request()


def _generations(record: bool) -> tuple[str, ...]:
    return (GENERATION_KEY, RECORD_GENERATION_KEY) if record else (GENERATION_KEY,)


def _forget_read_in_request() -> None:
    remembered = _read_in_request.get()
    if remembered is not None:  # what this request renders after its own change is new too
        remembered.clear()


def invalidate(*, record: bool = False) -> None:
    """Forget every cached page once the current transaction commits (at once outside one)."""
    bump_when_committed(*_generations(record))


def invalidate_on_change(sender, **kwargs) -> None:
    invalidate()


def invalidate_record_on_change(sender, **kwargs) -> None:
    invalidate(record=True)


def connect(*models, record: bool = False) -> None:
    """Forget cached pages whenever a row of these models is saved or deleted; with `record`,
    what is kept under the record's generation too."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    receiver = invalidate_record_on_change if record else invalidate_on_change
    for model in models:
        uid = f"pagecache:{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(receiver, sender=model, dispatch_uid=uid + ":delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(receiver, sender=field.remote_field.through, dispatch_uid=uid + field.name)


class PublicPageCache:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        remembering = _read_in_request.set({})
        try:
            return self._store(request, self.get_response(request))
        finally:
            _read_in_request.reset(remembering)

    @staticmethod
    def _key(request) -> str | None:
        if request.method not in ("GET", "HEAD"):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
            return None
        if set(request.GET) - ALLOWED_PARAMS:
            return None
        return f"pagecache:{generation()}:{request.get_full_path()}"

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "public_page", False) or getattr(settings, "PAGE_CACHE_SECONDS", 0) <= 0:
            return None
        key = self._key(request)
        if key is None:
            return None
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            response[HEADER] = "hit"
            # As the rendered page says (it read the session): what a signed-in person gets differs.
            patch_vary_headers(response, ("Cookie",))
            return response
        request._public_page_key = key
        return None

    def _store(self, request, response):
        key = getattr(request, "_public_page_key", None)
        if key is None:
            return response
        cacheable = (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not request.user.is_authenticated
        )
        if cacheable:
            cache.set(key, (response.content, response["Content-Type"]), timeout=settings.PAGE_CACHE_SECONDS)
            response[HEADER] = "miss"
        return response
