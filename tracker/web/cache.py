"""A small in-process cache where each value is computed once, however many requests ask.

    cache = Cache(size=32, ttl=None)
    page = cache.get(key, lambda: render(...))   # the other threads wait for the first

Twenty readers arriving together at a report nobody has rendered yet must not render it
twenty times over (on two cores that turns one slow page into twenty very slow ones):
the first computes, the rest wait for its result. `ttl` (seconds) bounds how long a value
is served; `clear()` drops everything (after this process changed the store).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Cache(Generic[V]):
    def __init__(self, size: int = 32, ttl: float | None = None) -> None:
        self._items: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self._size = size
        self._ttl = ttl

    def _fresh(self, key: Hashable) -> tuple[bool, V | None]:
        hit = self._items.get(key)
        if hit is None or (self._ttl is not None and time.monotonic() - hit[0] > self._ttl):
            return False, None
        self._items.move_to_end(key)
        return True, hit[1]

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        with self._lock:
            found, value = self._fresh(key)
            if found:
                return value  # type: ignore[return-value]
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:  # one thread computes; the others wait here, then find the value
            with self._lock:
                found, value = self._fresh(key)
            if found:
                return value  # type: ignore[return-value]
            value = compute()
            with self._lock:
                self._items[key] = (time.monotonic(), value)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
                self._computing.pop(key, None)
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
