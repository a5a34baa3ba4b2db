"""How long a browser takes to carry news between its tabs.

The article has one tab; the lab's other parts treat ``localStorage`` as one
memory every tab reads at once, and a Web Lock as passing from one tab to
the next in no time. Chromium does neither. Each renderer keeps its own copy
of a site's ``localStorage``: a tab reads and writes its copy, the write goes
to the browser process over IPC, and the other renderers learn of it a moment
later (``CachedStorageArea`` in third_party/blink/renderer/modules/storage/;
the HTML standard only says the other ``Storage`` objects are updated and a
``storage`` event fired, not when). A Web Lock lives in the browser process
too: a release travels there and the grant travels to the next tab (the Web
Locks API names no order between those messages and the storage ones). So
the tab that gets the lock right after another tab stored a rotated refresh
token can still read the old one (``locks.py``'s second look), and send it.

The family ``tab_sync`` has two modes:

- ``Instant`` (``"instant"``, the default): one memory, no delays, as the
  lab's figures have always assumed.
- ``Measured`` (``"measured"``): each tab its own copy of ``localStorage``
  (a ``TabView`` over the browser's ``StorageArea``); another tab's write
  shows after a delay, a Web Lock is granted after a delay, and a
  SharedWorker (``worker.py``) takes a while to start and a moment per
  message. Every delay is drawn from what ``reality/storage_probe.py``
  measured in two Chromium tabs (``tab_sync.json`` beside this file, with the
  Chromium version).

The two delays are not independent when the lock passes from one tab to the
next: the browser mostly delivers the holder's writes to the next tab before
the grant (both leave the browser process in that order), but not always.
In the probe, a tab that waited 20 to 200 ms for the lock (as a tab waits
while another refreshes) read the old value after 5 to 9 % of handoffs, far
fewer than the race of two independent delays would give (a quarter; that
is what a wait of 5 ms showed). So a tab granted the lock sees every write
made before the grant, except in the probe's fraction of handoffs, when the
writes still on their way arrive at their own time. A tab that reads without
the lock (the late-401 check) sees another tab's write after its delay.

A cookie (``storage = "cookie"``) is kept by the browser's network service,
one jar for every tab, and set before the answer reaches the page: no delay.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import simpy

from ..parts import Part
from .storage import KEYS, TabMemory, TokenStore

MEASURED = Path(__file__).with_name("tab_sync.json")


@cache
def measured() -> dict[str, Any]:
    """The probe's samples, in seconds: ``visibility_s``, ``lock_grant_s``, ``worker_start_s``,
    ``worker_message_s``; its ``handoffs`` and how many read the old value (``handoffs_old_value``);
    and the ``chromium`` they were measured in."""
    probe = json.loads(MEASURED.read_text())
    samples = {key.replace("_ms", "_s"): tuple(ms / 1000 for ms in value) for key, value in probe.items()
               if key.endswith("_ms")}  # fmt: skip
    counts = {key: probe[key] for key in ("handoffs", "handoffs_old_value")}
    return {"chromium": probe["chromium"], **samples, **counts}


class TabSync(Part, family="tab_sync"):
    """How soon one tab sees what another did, and what a message to a SharedWorker costs."""

    draws = False  # whether it needs a random stream of the user's

    def views(
        self, stores: list[TokenStore | TabMemory], env: simpy.Environment, rng: random.Random | None
    ) -> list[Any]:
        """Each tab's store as that tab sees it."""
        return stores

    def lock_granted(
        self, env: simpy.Environment, store: Any, rng: random.Random | None
    ) -> Generator[simpy.Event, Any, None]:
        """From a Web Lock being free to the tab that asked for it (its store ``store``) holding it."""
        yield from ()

    def worker_start_s(self, rng: random.Random | None) -> float:
        """From a tab starting a SharedWorker to the worker's first answer, s."""
        return 0.0

    def worker_message_s(self, rng: random.Random | None) -> float:
        """A message to a running SharedWorker and its answer, s."""
        return 0.0


@dataclass(frozen=True)
class Instant(TabSync, mode="instant"):
    """One memory for every tab: a write is seen, a lock passed, a worker asked, at once."""


@dataclass(frozen=True)
class Measured(TabSync, mode="measured"):
    """Chromium as the probe measured it: each tab its own copy of ``localStorage``, updated late."""

    draws = True

    def views(
        self, stores: list[TokenStore | TabMemory], env: simpy.Environment, rng: random.Random | None
    ) -> list[Any]:
        if len(stores) < 2 or not all(store is stores[0] and isinstance(store, TokenStore) for store in stores):
            return stores  # one tab, or a cookie: nothing to carry between renderers
        area = StorageArea(env, rng, measured()["visibility_s"])
        return [TabView(area) for _ in stores]

    def lock_granted(
        self, env: simpy.Environment, store: Any, rng: random.Random | None
    ) -> Generator[simpy.Event, Any, None]:
        probe = measured()
        overtaken = isinstance(store, TabView) and rng.random() < probe["handoffs_old_value"] / probe["handoffs"]
        grant = env.timeout(rng.choice(probe["lock_grant_s"]))
        if overtaken:  # the grant overtakes the writes on their way: the tab reads without them
            store.frozen = True
        yield grant
        if overtaken:
            env.timeout(0).callbacks.append(lambda _: store.thaw())  # once this tab has read, under the lock
        elif isinstance(store, TabView):
            store.catch_up()  # the writes made before the grant came first, as they mostly do

    def worker_start_s(self, rng: random.Random | None) -> float:
        return rng.choice(measured()["worker_start_s"])

    def worker_message_s(self, rng: random.Random | None) -> float:
        return rng.choice(measured()["worker_message_s"])


class StorageArea:
    """The browser process's copy of a site's ``localStorage``, and the tabs' copies it updates.

    Each write gets the next number; a tab's copy takes a value only if it is newer than the one it
    has, so a write that arrives late never overwrites a later one (the last writer wins, in the
    browser's order, as in Chromium). A tab's own writes show in its copy at once; the others' come
    one delay per tab and per moment later (the writes one ``keep()`` makes arrive together).
    """

    def __init__(self, env: simpy.Environment, rng: random.Random, delays_s: Sequence[float]):
        self.env, self.rng, self.delays_s = env, rng, delays_s
        self.views: list[TabView] = []
        self.writes = 0
        self._batch: tuple[float, TabView | None, list[float]] = (-math.inf, None, [])

    def write(self, writer: TabView, key: str, value: Any) -> None:
        self.writes += 1
        number = self.writes
        writer.take(key, value, number)
        now = self.env.now
        when, by, delays = self._batch
        if (when, by) != (now, writer):  # a new moment, or another writer: new delays to each tab
            delays = [self.rng.choice(self.delays_s) for _ in self.views]
            self._batch = (now, writer, delays)
        for view, delay_s in zip(self.views, delays, strict=True):
            if view is not writer:
                view.pending[number] = (key, value, self.env.now + delay_s)
                self.env.timeout(delay_s).callbacks.append(lambda _, view=view: view.arrive(number))


class TabView:
    """One tab's copy of ``localStorage``: reads are its own, writes go to the browser's area."""

    __slots__ = ("area", "values", "numbers", "pending", "frozen")

    def __init__(self, area: StorageArea):
        self.area = area
        empty = TokenStore()  # no token: due at once
        self.values: dict[str, Any] = {key: getattr(empty, key) for key in KEYS}
        self.numbers = dict.fromkeys(KEYS, 0)  # the write each value came from
        self.pending: dict[int, tuple[str, Any, float]] = {}  # other tabs' writes on their way: key, value, due
        self.frozen = False  # a lock's grant overtook the writes: they wait until the tab has read
        area.views.append(self)

    def take(self, key: str, value: Any, number: int) -> None:
        """A write reaches this tab's copy: kept if it is newer than what the copy holds."""
        if number > self.numbers[key]:
            self.values[key], self.numbers[key] = value, number

    def arrive(self, number: int) -> None:
        """Another tab's write ``number`` reaches this tab, unless it already came (or must wait)."""
        if number in self.pending and not self.frozen:
            key, value, _ = self.pending.pop(number)
            self.take(key, value, number)

    def catch_up(self) -> None:
        """Every write on its way arrives now, in the browser's order."""
        for number in sorted(self.pending):
            self.arrive(number)

    def thaw(self) -> None:
        """The writes held back while the tab read arrive, those that are due."""
        self.frozen = False
        now = self.area.env.now
        for number in sorted(self.pending):
            if self.pending[number][2] <= now:
                self.arrive(number)


def _item(key: str) -> property:
    return property(
        lambda view: view.values[key],
        lambda view, value: view.area.write(view, key, value),
        doc=f"``localStorage.getItem('{key}')`` in this tab; set: ``setItem``",
    )


for _key in KEYS:
    setattr(TabView, _key, _item(_key))
