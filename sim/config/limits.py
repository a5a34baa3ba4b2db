"""What the browser itself limits: connections per origin, and the time each request costs the page.

A burst of "simultaneous" requests is neither simultaneous nor unlimited
in a browser. Over HTTP/1.1, browsers open at most 6 connections to one
host (per browser, all tabs together): a seventh call waits for one to free up, and a refresh call
is no exception, so it can sit behind five slow API calls. And each request
costs the page's main thread a little time before it leaves (building it,
running the interceptors), one request at a time per tab, so a burst leaves
spread over time.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fields import check_seconds, setting, whole


@dataclass(frozen=True)
class BrowserLimits:
    """Connections per origin (0: unlimited; browsers open 6 over HTTP/1.1) and the page's time per call."""

    max_connections: int = setting(
        0,
        "connections the browser opens to the app's origin, all tabs together; 0: unlimited (over HTTP/1.1: 6)",
    )
    client_cost_s: float = setting(0.0, "time each call costs the tab's main thread before it leaves, s")

    def __post_init__(self) -> None:
        whole(self, "max_connections", 0, "a whole number of connections (0 = unlimited)", maximum=10_000)
        check_seconds("client_cost_s", self.client_cost_s)

    @property
    def limited(self) -> bool:
        return bool(self.max_connections or self.client_cost_s)
