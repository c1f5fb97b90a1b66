"""Django's Redis cache backend, keeping one Redis client per connection pool, and adding to a
counter in one round trip.

Django's client builds a new `redis.Redis` for every cache operation, and building one sets up
its table of response callbacks (a few hundred entries): about a tenth of a millisecond each
time, several times a request (the session, the page cache, rate limits). A `redis.Redis` is
safe to share between threads, and the connections stay in the pool as before.

Django's `incr` asks whether the key exists, then adds: two round trips, and a key that expires
(or is evicted) between the two comes back as the bare delta. The page cache's generation
counters must never restart low (docket.pagecache), so here both steps run in Redis as one."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

# INCRBY only if the key is there; nil otherwise.
INCR_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


class KeptClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._incr_scripts = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(id(client))
        if script is None:
            script = self._incr_scripts[id(client)] = client.register_script(INCR_IF_EXISTS)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClient
