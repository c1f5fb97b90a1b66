"""A list made on first use, for what only a shared fragment of a page shows: when the fragment
comes from the cache (see {% shared_fragment %}), the queries behind it are never made."""

from collections.abc import Callable, Iterable, Sequence


class DeferredList(Sequence):
    def __init__(self, make: Callable[[], Iterable]):
        self._make = make
        self._items: list | None = None

    def _list(self) -> list:
        if self._items is None:
            self._items = list(self._make())
        return self._items

    def __getitem__(self, index):
        return self._list()[index]

    def __len__(self) -> int:
        return len(self._list())
