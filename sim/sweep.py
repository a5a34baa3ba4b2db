"""Sweeps: a surface of runs, on every core or on a Dask cluster, each run made once.

An architect's question is a surface, not a point: how refresh calls,
failures and p99 latency move across users x access lifetime x auth workers x
strategy, with confidence intervals. A sweep file names a base scenario, the
parameters to vary (lists or ranges; every combination, or zipped in step),
the strategies and the replications::

    name = "architect"
    scenario = "../article.toml"          # the base, relative to this file
    strategies = ["naive", "locked"]
    replications = 3                      # seeds base, base + 1, ...
    design = "factorial"                  # or "zip"
    [parameters]
    users = [50, 100, 200]
    access_ttl_s = { start = 60, stop = 960, num = 5, scale = "log" }
    [base]                                # fields set on the base for every run
    duration_s = 1800

Every run of a point uses the same seeds for every strategy and every point
(common random numbers: the same seed gives the same arrivals), so a
difference between two cells is the client's or the parameter's, not luck's.

A sweep may run the capacity model instead (``model = "capacity"``: each point computed, not simulated,
so a point of a hundred million users takes a second) or beside the simulation (``model = "both"``: the
run's summary and the model's answers, ``capacity_...``, in one row), with the settings of the base
scenario file's ``[capacity]`` section (``sim.capacity``)::

    model = "capacity"
    [parameters]
    users = { start = 1000, stop = 100000000, num = 6, scale = "log" }

Runs go to an executor: ``inline`` (this process), ``processes`` (every core through ``sim.pool``,
the default) or ``dask`` (a ``dask.distributed.Client``, or a scheduler's
address); a run is the same whichever executor makes it. Each finished run is
written at once to a cache keyed by a hash of its scenario (seed included)
and of the package's version and source, so running a sweep again only runs
what changed, and Ctrl-C loses nothing that finished.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from .capacity.settings import CapacitySettings, load_capacity_settings
from .client.composition import value_text
from .estimate import MAX_RUNS, check_runs, preflight
from .experiment import Result, confidence_table, run
from .fields import ConfigError, is_number
from .files import read_toml
from .metrics import CLIENT_KEYS, SUMMARY_KEYS
from .pool import run_each
from .presets import client_names
from .scenario import CLIENT_NAME_KEYS, Scenario
from .scenario_file import load_scenario, packaged_path

PARQUET = importlib.util.find_spec("pyarrow") is not None  # runs.parquet too (the full install has pyarrow)

DESIGNS = ("factorial", "zip")
EXECUTORS = ("inline", "processes", "dask")
SWEEP_KEYS = (
    "name", "description", "scenario", "strategies", "replications", "design", "parameters", "base", "model",
)  # fmt: skip
# Fields a sweep sets itself, so a parameter naming one would be ignored or collide with a column.
SWEEP_OWN = {
    "seed": "the sweep sets the seed (replications = N runs seeds base.seed .. base.seed + N - 1)",
    "strategy": "the sweep names its clients itself: list them in strategies, or sweep client = [...]",
    "name": "is the scenario's name, not a field a run reads",
}
SWEEP_MAX_BYTES = 1_000_000
MODELS = ("simulation", "capacity", "both")
# What `python -m sim sweep` prints per point, for each model.
SHOWN = {
    "simulation": ("refresh_calls", "requests_failed", "logouts", "latency_p99_s"),
    "capacity": ("mean_refresh_per_s", "peak_refresh_per_s", "workers_needed", "workers_for_peak"),
    "both": ("refresh_calls", "capacity_mean_refresh_per_s", "refresh_peak_per_s", "capacity_peak_refresh_per_s"),
}
# The numbers a run gives (everything in the summary after the client's fields).
METRICS = tuple(key for key in SUMMARY_KEYS[SUMMARY_KEYS.index("requests") :] if key not in ("seed",))
DEFAULT_CACHE = Path(".sweep-cache")
RUN_LABELS = ("replication", "seed")  # what the plan gives each run beside its point and client


@dataclass(frozen=True)
class Sweep:
    """A base scenario, the values of each parameter, the clients and the replications.

    ``strategies`` names the presets to run (the runs' ``strategy`` column says which). For clients
    that are more than a preset, give instead a mapping from a label to the fields that make each
    one, as ``Scenario.with_`` takes them (``{"lock across tabs": {"strategy": "locked",
    "cross_tab_lock": True}}``; fields left out keep the base's): the runs then have a ``client``
    column with the label, beside their own ``strategy``.

    ``measure(result)`` makes a run's row (a mapping of plain values) from its ``Result``, in the
    process that ran it; by default the row is the run's summary. A cached row is known by the
    measure's name, so give a changed measure a new name (or run with ``cache=False``).
    """

    name: str
    base: Scenario
    parameters: dict[str, tuple] = field(default_factory=dict)
    strategies: tuple[str, ...] | Mapping[str, Mapping[str, Any]] = ("naive", "locked", "queued")
    replications: int = 1
    design: str = "factorial"
    measure: Callable[[Result], Mapping[str, Any]] | None = None
    model: str = "simulation"
    capacity: CapacitySettings = field(default_factory=CapacitySettings)

    def __post_init__(self) -> None:
        if self.design not in DESIGNS:
            raise ConfigError("design", self.design, f"must be one of {', '.join(DESIGNS)}")
        if self.model not in MODELS:
            raise ConfigError("model", self.model, f"must be one of {', '.join(MODELS)}")
        if self.model == "capacity" and self.replications != 1:
            raise ConfigError("replications", self.replications, "the capacity model is computed, not drawn: give 1")
        if not isinstance(self.replications, int) or isinstance(self.replications, bool) or self.replications < 1:
            raise ConfigError("replications", self.replications, "must be a whole number >= 1")
        if isinstance(self.strategies, Mapping):
            for label, changes in self.strategies.items():
                if not isinstance(changes, Mapping) or "seed" in changes:
                    raise ConfigError(
                        f"strategies: {label}", changes, "must be a table of client fields (the sweep sets the seed)"
                    )
        else:
            for strategy in self.strategies:
                if strategy not in client_names():
                    raise ConfigError("strategies", strategy, f"must be drawn from {', '.join(client_names())}")
            if len(set(self.strategies)) < len(self.strategies):
                raise ConfigError("strategies", list(self.strategies), "must name each client once")
        for name in self.parameters:
            if name.removeprefix("client.") in SWEEP_OWN:
                raise ConfigError(f"parameters: {name}", self.parameters[name], SWEEP_OWN[name.removeprefix("client.")])
        lengths = {len(values) for values in self.parameters.values()}
        if self.design == "zip" and len(lengths) > 1:
            shown = ", ".join(f"{name}: {len(values)}" for name, values in self.parameters.items())
            raise ConfigError("parameters", shown, "zip needs every parameter to have as many values")
        check_runs(self.size, "a sweep's points x clients x replications")

    @property
    def size(self) -> int:
        """How many runs the sweep makes, from its shape alone (no point is built)."""
        lengths = [len(values) for values in self.parameters.values()]
        points = math.prod(lengths) if self.design == "factorial" else min(lengths, default=1)
        return points * len(self.clients()) * self.replications

    def points(self) -> list[dict[str, Any]]:
        """Each combination of parameter values (factorial), or the values taken in step (zip)."""
        names = list(self.parameters)
        rows = (
            itertools.product(*self.parameters.values())
            if self.design == "factorial" or not self.parameters  # no parameters: the one point, the base
            else zip(*self.parameters.values(), strict=True)
        )
        return [dict(zip(names, row, strict=True)) for row in rows]

    @property
    def names_clients(self) -> bool:
        """Whether a parameter names the client (``client = ["naive", "auth0-spa-js"]``): then each point
        runs its own client, not each of ``strategies``."""
        return any(name.removeprefix("client.") in CLIENT_NAME_KEYS for name in self.parameters)

    @property
    def label(self) -> str:
        """The runs' column naming each client: ``strategy`` for named clients, ``client`` for labelled ones."""
        return "client" if isinstance(self.strategies, Mapping) else "strategy"

    def clients(self) -> dict[str | None, dict[str, Any]]:
        """Each client by its label: the fields ``Scenario.with_`` sets to make it (none, when a parameter
        names the client: the point's own, labelled by the run)."""
        if self.names_clients:
            return {None: {}}
        if isinstance(self.strategies, Mapping):
            return {label: dict(changes) for label, changes in self.strategies.items()}
        return {name: {"client": name} for name in self.strategies}

    def plan(self) -> list[tuple[dict[str, Any], Scenario]]:
        """Every run: (its point, client and replication; its scenario). Seeds are shared across points
        and clients: replication r runs on seed base + r everywhere."""
        planned = []
        for point in self.points():
            at_point = self.base.with_(point)
            for client, changes in self.clients().items():
                named = at_point.with_(changes) if changes else at_point
                for replication in range(self.replications):
                    seed = self.base.seed + replication
                    label = {**point, self.label: client or named.strategy, "replication": replication, "seed": seed}
                    planned.append((label, named.with_(seed=seed)))
        return planned


def load_sweep(path: str | Path, limits: tuple[int, ...] = ()) -> Sweep:
    """Read a sweep file; a bad key or value is a ``ConfigError`` naming the file and the key. A bare name
    (``architect``) reads the sweep of that name installed with sim (``sim/scenarios/sweeps/``).

    The file is checked in the order that costs least: its keys and types, then its size from its shape
    alone (points x clients x replications, at most ``MAX_RUNS``), and only then is every run's scenario
    built, so that every value is checked before the first run starts, and each point's work is estimated
    (``sim.estimate.preflight``, with ``limits``: max requests, users and refreshes per run, if given)."""
    path = packaged_path(path, "sweeps", "sweep")
    data = read_toml(path, "sweep", SWEEP_MAX_BYTES)
    where = path.name
    for key in data:
        if key not in SWEEP_KEYS:
            raise ConfigError(f"{where}: {key}", data[key], f"unknown key; allowed: {', '.join(SWEEP_KEYS)}")
    if "scenario" not in data:
        raise ConfigError(f"{where}: scenario", None, "names the base scenario file (relative to the sweep file)")
    try:
        name = sweep_name(data.get("name", path.stem))
        if not isinstance(data.get("description", ""), str):
            raise ConfigError("description", data["description"], "must be a string")
        if not isinstance(data["scenario"], str):
            raise ConfigError("scenario", data["scenario"], "must be the path of a scenario file, as a string")
        base, file_strategies = load_scenario(path.parent / data["scenario"])
        base = base.with_(_table(data, "base"))
        parameters = {name: _values(name, spec) for name, spec in _table(data, "parameters").items()}
        strategies = data.get("strategies", list(file_strategies))
        if not isinstance(strategies, list) or not strategies or not all(isinstance(s, str) for s in strategies):
            raise ConfigError("strategies", strategies, "must be a list of named clients")
        if "strategies" in data and any(name.removeprefix("client.") in CLIENT_NAME_KEYS for name in parameters):
            raise ConfigError("strategies", strategies, "a parameter names the client already: give one or the other")
        replications = data.get("replications", 1)
        if not is_number(replications) or replications != int(replications) or replications < 1:
            raise ConfigError("replications", replications, "must be a whole number >= 1")
        sweep = Sweep(
            name=name,
            base=base,
            parameters=parameters,
            strategies=tuple(strategies),
            replications=int(replications),
            design=data.get("design", "factorial"),
            model=data.get("model", "simulation"),
            capacity=load_capacity_settings(path.parent / str(data["scenario"])),
        )  # checks the size from the shape: no point is built yet
        for label, scenario in sweep.plan():  # every scenario built, so every value is checked now
            # and each point's work, as any run's (its seeds cost alike); the capacity model simulates nothing
            if label["replication"] == 0 and sweep.model != "capacity":
                preflight(scenario, *limits)
    except ConfigError as error:
        raise ConfigError(f"{where}: {error.field}", error.value, error.allowed) from None
    return sweep


def sweep_name(name: Any) -> str:
    """A sweep's name, which names its output folder (``sweeps/<name>``): one plain folder name."""
    allowed = "must be a plain name (letters, digits, - _ . and spaces; no / or \\, not . or ..)"
    if not isinstance(name, str) or not name.strip() or name in (".", "..") or len(name) > 100:
        raise ConfigError("name", name, allowed)
    if any(char in "/\\" or not char.isprintable() for char in name):
        raise ConfigError("name", name, allowed)
    return name


def _table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(key, value, "must be a [table]")
    return value


RANGE_TEXT = "a range is {start, stop, num[, scale = linear|log]} or {start, stop, step}, with numbers"


def _values(name: str, spec: Any) -> tuple:
    """A parameter's values: a list, or a range {start, stop, num[, scale]} or {start, stop, step}.
    A range's length is checked (at most ``MAX_RUNS``) before any value is made."""
    if isinstance(spec, list) and spec:
        if len(spec) > MAX_RUNS:
            raise ConfigError(name, f"{len(spec):,} values", f"at most {MAX_RUNS:,} values")
        return tuple(spec)
    if not isinstance(spec, dict):
        raise ConfigError(name, spec, "must be a non-empty list, or {start, stop, num[, scale = linear|log]}")
    keys = set(spec)
    if (
        keys - {"start", "stop", "num", "step", "scale"}
        or not {"start", "stop"} <= keys
        or ("num" in keys) == ("step" in keys)
        or not all(is_number(spec[key]) for key in ("start", "stop", "num", "step") if key in spec)
    ):
        raise ConfigError(name, spec, RANGE_TEXT)
    start, stop = spec["start"], spec["stop"]
    if "step" in spec:
        step = spec["step"]
        span = (stop - start) / step if step else -1.0
        if not 0 <= span < MAX_RUNS:
            raise ConfigError(name, spec, f"step must lead from start to stop in at most {MAX_RUNS:,} steps")
        count = int(math.floor(span + 1e-9)) + 1
        values = [start + i * step for i in range(count)]
    else:
        num, scale = spec["num"], spec.get("scale", "linear")
        if num != int(num) or not 1 <= num <= MAX_RUNS:
            raise ConfigError(name, num, f"num must be a whole number from 1 to {MAX_RUNS:,}")
        num = int(num)
        if scale not in ("linear", "log") or (scale == "log" and min(start, stop) <= 0):
            raise ConfigError(name, spec, "scale is linear or log (log needs start and stop > 0)")
        if num == 1:
            values = [start]
        elif scale == "linear":
            values = [start + (stop - start) * i / (num - 1) for i in range(num)]
        else:
            values = [start * (stop / start) ** (i / (num - 1)) for i in range(num)]
    if all(isinstance(v, int) for v in (start, stop)):  # a range of whole numbers stays whole
        values = [round(v) for v in values]
    return tuple(values)


# -- running it -------------------------------------------------------------------------------------


def source_digest() -> str:
    """A hash of the package's version and its source files: a cached run is reused only by the same model."""
    from . import __version__  # noqa: PLC0415

    digest = hashlib.sha256(__version__.encode())
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_key(scenario: Scenario, model: str) -> str:
    """The cache key of one run: its whole scenario (seed and client included) and the model's digest."""
    text = json.dumps({"scenario": scenario.as_dict(), "model": model}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def summary_row(scenario: Scenario) -> dict[str, Any]:
    """One run's summary, plain values only (what the cache stores and what a worker sends back)."""
    summary = run(scenario).summary
    return {
        key: value_text(value) if key in CLIENT_KEYS and value is not None else value for key, value in summary.items()
    }


def capacity_row(settings: CapacitySettings, scenario: Scenario) -> dict[str, Any]:
    """The capacity model's answers for one point, numbers and the client's label."""
    from .capacity import capacity  # noqa: PLC0415

    answers = capacity(scenario, settings).answers  # its client is the run's, labelled by the plan
    return {key: value for key, value in answers.items() if key not in ("client", "users", "logins")}


def both_row(settings: CapacitySettings, scenario: Scenario) -> dict[str, Any]:
    """The run's summary and the capacity model's answers (``capacity_...``) for the same scenario."""
    model = {f"capacity_{key}": value for key, value in capacity_row(settings, scenario).items()}
    return {**summary_row(scenario), **model}


def measured_row(measure: Callable[[Result], Mapping[str, Any]], scenario: Scenario) -> dict[str, Any]:
    """One run's row as a sweep's ``measure`` makes it from the run's result."""
    return dict(measure(run(scenario)))


class Cache:
    """One small JSON file per finished run, written as it finishes (so Ctrl-C loses nothing)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> dict[str, Any] | None:
        if self.folder is None:
            return None
        path = self.folder / f"{key}.json"
        try:
            return json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):  # not made yet, or damaged: run it again
            return None

    def put(self, key: str, row: dict[str, Any]) -> None:
        if self.folder is None:
            return
        temporary = self.folder / f".{key}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(row, allow_nan=True))
        temporary.replace(self.folder / f"{key}.json")  # atomic: a half-written file is never read


@dataclass
class SweepResult:
    """The tidy table of every run, and the mean and 95 % half-width per point and strategy."""

    sweep: Sweep
    runs: pd.DataFrame
    ran: int  # runs made now (the others came from the cache)

    @property
    def points(self) -> pd.DataFrame:
        """The mean and 95 % half-width (``_ci``) of every metric (each number a ``measure`` gave), per point
        and client."""
        by = [*self.sweep.parameters, self.sweep.label]
        own = self.sweep.measure is None and self.sweep.model == "simulation"
        given = METRICS if own else [c for c in self.runs if c not in (*by, *RUN_LABELS)]
        columns = [c for c in given if c in self.runs and pd.api.types.is_numeric_dtype(self.runs[c])]
        return confidence_table(self.runs, columns, by=by)

    def save(self, folder: str | Path) -> list[Path]:
        """``runs.csv`` and ``points.csv`` (mean and ``_ci`` per point) in ``folder``, and ``runs.parquet`` when
        pyarrow is installed (``requirements.txt`` has it; the light install of ``requirements-sim.txt`` does not)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = [folder / "runs.csv", folder / "points.csv"]
        self.runs.to_csv(written[0], index=False)
        self.points.to_csv(written[1], index=False)
        if PARQUET:
            written.append(folder / "runs.parquet")
            self.runs.to_parquet(written[-1], index=False)
        return written


def sweep(
    spec: Sweep | str | Path,
    executor: str = "processes",
    jobs: int = 0,
    client: Any = None,
    scheduler: str | None = None,
    cache: bool = True,
    cache_dir: str | Path = DEFAULT_CACHE,
    progress: bool = True,
) -> SweepResult:
    """Run a sweep (a ``Sweep`` or a sweep file) and return its runs, one row each.

    ``executor``: ``inline``, ``processes`` (``jobs`` of them, 0: one per CPU) or ``dask`` (``client``, a
    ``dask.distributed.Client``, or ``scheduler``, an address such as ``tcp://host:8786``; giving either
    picks dask). Runs found in the cache are not run again (``cache=False`` runs everything).
    """
    the_sweep = spec if isinstance(spec, Sweep) else load_sweep(spec)
    if client is not None or scheduler is not None:
        executor = "dask"
    if executor not in EXECUTORS:
        raise ConfigError("executor", executor, f"must be one of {', '.join(EXECUTORS)}")
    planned = the_sweep.plan()
    store = Cache(Path(cache_dir) if cache else None)
    model = source_digest()
    work: Callable[[Scenario], dict[str, Any]] = summary_row
    if the_sweep.model != "simulation":
        work = partial(capacity_row if the_sweep.model == "capacity" else both_row, the_sweep.capacity)
        model += f":{the_sweep.model}:{the_sweep.capacity}"
    if the_sweep.measure is not None:
        work = partial(measured_row, the_sweep.measure)
        model += f":{the_sweep.measure.__module__}.{the_sweep.measure.__qualname__}"
    keys = [run_key(scenario, model) for _, scenario in planned]
    rows: dict[int, dict[str, Any]] = {}
    todo = []
    for index, key in enumerate(keys):
        found = store.get(key)
        if found is None:
            todo.append(index)
        else:
            rows[index] = found
    from tqdm.auto import tqdm  # noqa: PLC0415  (a bar on a terminal, a widget in a notebook)

    with tqdm(total=len(planned), initial=len(rows), unit="run", disable=not progress, desc=the_sweep.name) as bar:

        def finished(index: int, row: dict[str, Any]) -> None:
            store.put(keys[index], row)
            rows[index] = row
            bar.update()

        scenarios = [planned[index][1] for index in todo]
        _EXECUTE[executor](work, scenarios, todo, finished, jobs=jobs, client=client, scheduler=scheduler)
    labels = [label for label, _ in planned]
    table = pd.DataFrame(
        [{**labels[i], **{k: v for k, v in rows[i].items() if k != "seed"}} for i in range(len(planned))]
    )
    return SweepResult(the_sweep, table, ran=len(todo))


# Each executor makes ``work(scenario)`` of each of ``scenarios`` and calls ``finished(index, row)`` as each
# run ends, in any order.
Work = Callable[[Scenario], dict[str, Any]]
Finished = Callable[[int, dict[str, Any]], None]


def _inline(work: Work, scenarios: list[Scenario], indices: list[int], finished: Finished, **_: Any) -> None:
    for index, scenario in zip(indices, scenarios, strict=True):
        finished(index, work(scenario))


def _processes(
    work: Work, scenarios: list[Scenario], indices: list[int], finished: Finished, jobs: int = 0, **_: Any
) -> None:
    run_each(work, scenarios, jobs=jobs, done=lambda at, row: finished(indices[at], row))


def _dask(
    work: Work, scenarios: list[Scenario], indices: list[int], finished: Finished, client: Any = None,
    scheduler: str | None = None, **_: Any,
) -> None:  # fmt: skip
    if not scenarios:
        return
    from dask.distributed import Client, as_completed  # noqa: PLC0415

    own = client is None
    client = client if client is not None else Client(scheduler) if scheduler else Client(processes=True)
    try:
        futures = client.map(work, scenarios, pure=False)
        where = {future.key: index for future, index in zip(futures, indices, strict=True)}
        try:
            for future in as_completed(futures):
                finished(where[future.key], future.result())
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        if own:
            client.close()


_EXECUTE: dict[str, Callable[..., None]] = {"inline": _inline, "processes": _processes, "dask": _dask}
