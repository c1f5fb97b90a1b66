"""The Redis cache backend (docket.redis_cache): Django's, keeping one client per connection pool
instead of building one per operation. Against a real Redis (TEST_REDIS_URL); skips without one,
except under CI."""

import threading

import pytest
import redis
from django.core.cache import cache

from docket.redis_cache import KeptClient


def test_it_stores_and_reads_like_djangos_backend(redis_cache):
    cache.set("greeting", {"text": "hello"}, timeout=30)
    assert cache.get("greeting") == {"text": "hello"}
    assert cache.add("greeting", "again") is False
    assert cache.get_many(["greeting", "missing"]) == {"greeting": {"text": "hello"}}
    cache.delete("greeting")
    assert cache.get("greeting") is None


def test_one_client_serves_every_operation(redis_cache, monkeypatch):
    built = []
    original = redis.Redis.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    client = cache._cache
    assert isinstance(client, KeptClient)
    for n in range(20):
        cache.set(f"key-{n}", n)
        cache.get(f"key-{n}")
    assert len(built) <= 1  # one, unless an earlier operation of this cache already built it


def test_threads_can_share_the_client(redis_cache):
    # Django gives each thread a cache of its own; here one client serves them all at once.
    shared = cache._cache
    errors = []

    def work(n):
        try:
            for i in range(50):
                key = cache.make_and_validate_key(f"thread-{n}-{i}")
                shared.set(key, i, timeout=30)
                assert shared.get(key, None) == i
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread's number
            errors.append((n, exc))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.fixture
def commands_sent(monkeypatch) -> list[str]:
    """The names of the commands sent to Redis from now on, in order."""
    sent = []
    original = redis.Redis.execute_command

    def counting(self, *args, **kwargs):
        sent.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return sent


def test_incr_adds_in_one_round_trip(redis_cache, commands_sent):
    sent = commands_sent
    cache.set("counter", 40, timeout=30)
    assert cache.incr("counter") == 41  # the first use may also teach Redis the script
    sent.clear()
    assert cache.incr("counter") == 42
    assert cache.incr("counter", 8) == 50
    assert sent == ["EVALSHA", "EVALSHA"]  # one command each: the script, by its digest
    assert cache.get("counter") == 50


def test_incr_of_a_missing_key_fails_and_creates_nothing(redis_cache):
    # As Django's incr: ValueError. And the key is not left behind at the bare delta, which for
    # a generation counter would be a restart below numbers already used.
    cache.delete("no-such-counter")
    with pytest.raises(ValueError):
        cache.incr("no-such-counter")
    assert cache.get("no-such-counter") is None


def test_incr_many_moves_the_counters_there_in_one_round_trip(redis_cache, commands_sent):
    sent = commands_sent
    cache.set("first", 1, timeout=30)
    cache.set("second", 10, timeout=30)
    cache.delete("gone")
    cache.incr_many(["first"])  # the first use may also teach Redis the script
    sent.clear()
    assert cache.incr_many(["first", "gone", "second"]) == {"first": 3, "gone": None, "second": 11}
    assert sent == ["EVALSHA"]
    assert cache.get("gone") is None


def test_the_page_cache_bumps_through_it_and_restarts_a_lost_counter_high(redis_cache):
    import time

    from docket import pagecache

    cache.set("counter-kept", 5, timeout=None)
    cache.delete("counter-lost")
    pagecache.bump("counter-kept", "counter-lost")
    assert cache.get("counter-kept") == 6
    assert cache.get("counter-lost") >= time.time_ns() // 1_000_000 - 60_000


def test_add_first_takes_the_first_free_key_in_one_round_trip(redis_cache, commands_sent):
    sent = commands_sent
    keys = ["slot:0", "slot:1", "slot:2"]
    cache.add_first(["warm-up"], 1, timeout=30)  # the first use may also teach Redis the script
    sent.clear()
    cache.set("slot:0", "taken before", timeout=30)
    sent.clear()
    assert cache.add_first(keys, 12.5, timeout=30) == "slot:1"
    assert sent == ["EVALSHA"]
    assert cache.get("slot:0") == "taken before"  # left as it was
    assert cache.get("slot:1") == 12.5  # readable as Django's add stores it
    assert 0 < redis_cache.server.ttl(f"{redis_cache.prefix}:1:slot:1") <= 30  # and expiring
    assert cache.add_first(keys, 13, timeout=30) == "slot:2"
    assert cache.add_first(keys, 14, timeout=30) is None  # every key taken: nothing changes
    assert [cache.get(key) for key in keys] == ["taken before", 12.5, 13]
