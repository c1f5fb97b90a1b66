"""Django's Redis cache backend, keeping one Redis client per connection pool, and adding to
counters in one round trip.

Django's client builds a new `redis.Redis` for every cache operation, and building one sets up
its table of response callbacks (a few hundred entries): about a tenth of a millisecond each
time, several times a request (the session, the page cache, rate limits). A `redis.Redis` is
safe to share between threads, and the connections stay in the pool as before.

Django's `incr` asks whether the key exists, then adds: two round trips, and a key that expires
(or is evicted) between the two comes back as the bare delta. The page cache's generation
counters must never restart low (docket.pagecache), so here both steps run in Redis as one, and
`incr_many` moves several counters at once (a new comment moves two). `add_first` takes the
first free slot of a rate limit in one round trip too."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

# INCRBY each key that is there; nil for each that is not.
INCR_EXISTING = """
local values = {}
for i, key in ipairs(KEYS) do
    if redis.call('EXISTS', key) == 1 then
        values[i] = redis.call('INCRBY', key, ARGV[1])
    else
        values[i] = false
    end
end
return values
"""

# SET the first key that is not there (NX, expiring in ARGV[2] seconds); its index from 1, or 0.
ADD_FIRST = """
for i, key in ipairs(KEYS) do
    if redis.call('SET', key, ARGV[1], 'NX', 'EX', ARGV[2]) then
        return i
    end
end
return 0
"""


class KeptClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        (value,) = self.incr_many([key], delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def _script(self, source: str):
        client = self.get_client(None, write=True)
        script = self._scripts.get((id(client), source))
        if script is None:
            script = self._scripts[(id(client), source)] = client.register_script(source)
        return script

    def incr_many(self, keys, delta) -> list[int | None]:
        return self._script(INCR_EXISTING)(keys=keys, args=[delta])

    def add_first(self, keys, value, timeout) -> int:
        return self._script(ADD_FIRST)(keys=keys, args=[self._serializer.dumps(value), timeout])


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClient

    def incr_many(self, keys, delta=1, version=None) -> dict[str, int | None]:
        """Add `delta` to each counter that exists, in one round trip: key -> its new value, or
        None for a key that is not there (which stays not there)."""
        if not keys:
            return {}
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        return dict(zip(keys, self._cache.incr_many(made, delta), strict=True))

    def add_first(self, keys, value, timeout: int, version=None) -> str | None:
        """Store `value` under the first of `keys` that is not there (as `add` would, expiring
        in `timeout` seconds), in one round trip: that key, or None when every one is taken."""
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        index = self._cache.add_first(made, value, int(timeout))
        return keys[index - 1] if index else None
