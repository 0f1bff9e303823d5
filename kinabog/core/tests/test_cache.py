"""core.cache: Django's Redis cache with one Redis client per connection pool."""

from __future__ import annotations

import socket
import uuid

import pytest

from kinabog.core.cache import RedisCache

REDIS = ("127.0.0.1", 6379)


def redis_cache() -> RedisCache:
    return RedisCache("redis://127.0.0.1:6379/6", {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_reads_and_writes_share_one_client_made_once() -> None:
    # A client connects only when it sends a command: this holds without a Redis server.
    cache = redis_cache()
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client and cache._cache.get_client("any-key", write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(False)
    assert redis_cache()._cache.get_client() is not client  # each cache has its own


def test_the_cache_behaves_as_djangos_on_the_machines_redis() -> None:
    try:
        socket.create_connection(REDIS, timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379 (the build machines run one; CI always has it)")
    cache = redis_cache()
    client = cache._cache.get_client()
    assert cache.get("session") is None
    cache.set("session", {"user": 7}, timeout=30)
    assert cache.get("session") == {"user": 7}
    assert cache.get_many(["session", "other"]) == {"session": {"user": 7}}
    assert cache.add("session", "not this") is False
    assert cache.add("counter", 1) is True and cache.incr("counter") == 2
    cache.delete("session")
    assert cache.get("session", "gone") == "gone"
    cache.delete_many(["counter"])
    assert cache._cache.get_client() is client
