"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's client builds a new `redis.Redis` for every cache operation, and building one sets up
its table of response callbacks (a few hundred entries): about a tenth of a millisecond each
time, several times a request (the session, the page cache, rate limits). A `redis.Redis` is
safe to share between threads, and the connections stay in the pool as before."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class KeptClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClient
