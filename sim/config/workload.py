"""Who sends requests, and when."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..fields import (
    ConfigError,
    check_bool,
    check_choice,
    check_rate,
    check_seconds,
    only_used_by,
    setting,
    used_by,
    whole,
)

WORKLOAD_KINDS = ("burst", "steady", "trace")
MAX_TABS = 64


@dataclass(frozen=True)
class Workload:
    """Who sends requests, and when.

    - ``burst``: ``users`` users log in at 0; at ``at_s`` (default: one
      second after the first access token expires) each of their ``tabs``
      fires ``concurrency`` requests at once. The article's warning case.
    - ``steady``: ``users`` users log in spread uniformly over
      ``login_window_s`` (default: the first access lifetime; all at 0 if
      ``synchronized``), with ``tabs`` tabs
      open; each tab loads pages as a Poisson process of
      ``page_rate_per_s``, every page sending ``concurrency`` requests in
      parallel, from ``pages_from_s`` (default 0: from their login) until
      ``duration_s``.
    - ``trace``: requests replayed from a CSV file ``arrivals`` with
      columns ``time_s,user``; each user logs in at its first arrival.

    ``relogin_after_s``: a user sent to the login page (a refresh failed)
    logs in again after this think time; ``None``: they don't.
    """

    kind: str = setting("burst", "who sends requests, and when", flag="--workload", choices=WORKLOAD_KINDS)
    users: int = setting(1, "burst, steady: number of users (one tab each)", used_by=("burst", "steady"))
    tabs: int = setting(1, f"burst, steady: tabs each user has open, 1 to {MAX_TABS}", used_by=("burst", "steady"))
    concurrency: int = setting(
        5, "burst, steady: requests per burst or per page, in each tab", used_by=("burst", "steady")
    )
    at_s: float | None = setting(
        None, "burst: when the requests fire, s", default_text="access TTL + 1", used_by=("burst",)
    )
    page_rate_per_s: float = setting(0.05, "steady: pages per second per user", used_by=("steady",))
    duration_s: float = setting(3600.0, "steady: how long users load pages, s", used_by=("steady",))
    synchronized: bool = setting(False, "steady: all users log in at time 0", used_by=("steady",))
    login_window_s: float | None = setting(
        None,
        "steady: users log in spread uniformly over this many seconds, s",
        default_text="the access TTL",
        used_by=("steady",),
    )
    pages_from_s: float = setting(
        0.0,
        "steady: users load no pages before this time (logged in earlier, back now: runs the hour around an "
        "expiry without the idle hours before it), s",
        used_by=("steady",),
    )
    arrivals: str | None = setting(None, "trace: CSV file of time_s,user", default_text="none", used_by=("trace",))
    relogin_after_s: float | None = setting(
        None, "think time before a user logs in again after a logout, s", default_text="never logs in again"
    )

    def __post_init__(self) -> None:
        check_choice("kind", self.kind, WORKLOAD_KINDS)
        whole(self, "users", 1)
        whole(self, "tabs", 1, maximum=MAX_TABS)
        whole(self, "concurrency", 1)
        if self.at_s is not None:
            check_seconds("at_s", self.at_s)
        check_rate("page_rate_per_s", self.page_rate_per_s)
        check_seconds("duration_s", self.duration_s, positive=True)
        check_bool("synchronized", self.synchronized)
        check_seconds("pages_from_s", self.pages_from_s)
        if self.pages_from_s >= self.duration_s:
            raise ConfigError("pages_from_s", self.pages_from_s, f"must be before duration_s = {self.duration_s:g}")
        if self.login_window_s is not None:
            check_seconds("login_window_s", self.login_window_s)
            if self.synchronized:
                raise ConfigError(
                    "login_window_s", self.login_window_s, "synchronized logs everyone in at 0: give one or the other"
                )
        if self.relogin_after_s is not None:
            check_seconds("relogin_after_s", self.relogin_after_s)
        if self.arrivals is not None and (not isinstance(self.arrivals, str) or not self.arrivals.strip()):
            raise ConfigError("arrivals", self.arrivals, "must be the path of a CSV file of time_s,user, as a string")
        if self.kind == "trace" and not self.arrivals:
            raise ConfigError("arrivals", self.arrivals, "the trace workload needs a CSV file of time_s,user")


def refuse_unread(kind: str, given: Mapping[str, Any], whose: str, prefix: str = "") -> None:
    """Refuse a value ``given`` for a workload field that a ``kind`` workload does not read.

    A value the run would ignore is a mistake, not a no-op. ``whose`` names the
    workload in the message ("this run's"); ``prefix`` goes before the field's name.
    """
    for field in dataclasses.fields(Workload):
        kinds, value = used_by(field), given.get(field.name)
        if value is not None and kinds and kind not in kinds:
            raise ConfigError(prefix + field.name, value, f"{only_used_by(kinds)}; {whose} is {kind}")


def refuse_inherited(workload: Workload, whose: str, prefix: str = "") -> None:
    """``refuse_unread`` on every field a workload sets otherwise than the default: for a workload whose kind
    was changed (a variant's, a flag's), so that a field set for the old kind is refused, not silently kept."""
    given = {field.name: getattr(workload, field.name) for field in dataclasses.fields(Workload)}
    defaults = Workload()
    refuse_unread(workload.kind, {k: v for k, v in given.items() if v != getattr(defaults, k)}, whose, prefix)
