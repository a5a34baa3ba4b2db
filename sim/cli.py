"""The command line: ``python -m sim run | compare | sweep | libraries | capacity | bench | figures``.

Every flag maps to one scenario field (``--access-ttl`` to ``access_ttl_s``)
and is made from that field's declaration (``sim.fields.setting``; a
client's parts give their modes and parameters, ``sim.parts``):
its name, type and help text, so a new field is a new flag with nothing to
add here. Flags override a ``--scenario`` file, which overrides the
defaults. Bad input prints one line, ``error: <field> = <value>: <what is
allowed>``, and exits with status 2; there is never a traceback for a
user's mistake.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from .client import Client
from .client.composition import flat_defaults, value_text
from .config.workload import refuse_inherited, refuse_unread
from .estimate import MAX_REFRESHES, MAX_REQUESTS, MAX_USERS, Estimate, check_runs, preflight
from .experiment import Result, compare, confidence_table, replicate, run, run_all, summary_table
from .fields import ConfigError, default_text_of, flag_of, help_of, metavar_of, on_command_line
from .files import output_folder, write_text
from .metrics import CLIENT_KEYS, json_ready
from .parts import flat_values
from .presets import CLIENTS, STRATEGY_NAMES, client_names, named_client
from .scenario import Scenario, part_fields, refuse_unread_deployment, scenario_parts
from .scenario_file import load_scenario_file
from .tables import REPLICATED_ROWS, format_confidence_table, format_table

PROGRESS_AFTER_S = 3.0  # runs expected to take longer show a progress bar (on a terminal)


def clients_text() -> str:
    """The named clients as a short table, for --help."""
    width = max(len(name) for name in CLIENTS) + 2
    lines = ["named clients (--client NAME; --strategy and --library say the same):"]
    for name, named in CLIENTS.items():
        also = f" (also: {', '.join(named.aliases)})" if named.aliases else ""
        title = textwrap.shorten(named.title + also, 120 - width - 12, placeholder="...")
        lines.append(f"  {name:<{width}}{named.kind:<10}{title}")
    lines.append("each one's parts and their sources: python -m sim libraries, docs/libraries.md")
    return "\n".join(lines)


RUN_DESCRIPTION = (
    "Simulate dual-token silent refresh. The client is a named one, and any client flag changes one of its "
    "fields. Times are in seconds.\n\n" + clients_text()
)


class UsageError(Exception):
    """A mistake on the command line; printed as one line, exit status 2."""


class _Once(argparse.Action):
    """A flag with other spellings (``--client``, ``--strategy``, ``--library``): given twice, it is refused."""

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        before = getattr(namespace, self.dest, None)
        if before is not None and before != values:
            field = "client" if self.dest == "client.name" else self.dest.split(".")[-1]
            raise ConfigError(field, values, f"named twice ({before!r} too): give one")
        setattr(namespace, self.dest, values)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise UsageError(message)


def number(text: str) -> float | int:
    """A number from the command line; whole numbers stay ``int`` (exactly: ``99999999999999999999999`` is not
    rounded to a float's 99999999999999991611392 on the way)."""
    try:
        return int(text)
    except ValueError:
        value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value  # 1e308 stays 1e+308 in messages


# The parts of a scenario as --help groups them.
GROUP_TITLES = {
    "tokens": "token lifetimes",
    "refresh_tokens": "refresh tokens at the auth server: rotation and reuse detection",
    "latencies": "latencies",
    "capacities": "server capacities",
    "workload": "workload",
    "client": "client: a named client, and any of its fields set otherwise (a part's mode by the part's name)",
    "clocks": "client clocks: how far each is from the servers'",
    "browser": "the browser's limits: connections per origin, time per call",
    "faults": "faults: auth-server outages, brownouts and rate limits, lost answers, 401s no refresh fixes",
    "bff": "a backend-for-frontend's deployment (clients with tier = bff): instances, load balancer, session store",
    "": "run",
}


def scenario_flags() -> list[tuple[str, str, dataclasses.Field]]:
    """(part, qualified name, field) for every scenario field that has a flag.

    The part is "" for the scenario's own fields (``seed``, ``record_calls``).
    """
    flags = [
        (part, f"{part}.{field.name}", field)
        for part, cls in scenario_parts().items()
        for field in part_fields(cls)
        if on_command_line(field)
    ]
    own = [f for f in dataclasses.fields(Scenario) if f.name not in scenario_parts() and on_command_line(f)]
    return flags + [("", field.name, field) for field in own]


def _add_scenario_flags(parser: argparse.ArgumentParser, *, skip: tuple[str, ...] = (), limits: bool = True) -> None:
    parser.add_argument("--scenario", metavar="FILE.toml", help="scenario file; flags override it")
    groups: dict[str, argparse._ArgumentGroup] = {}
    for part, name, field in scenario_flags():
        if field.name in skip:
            continue
        group = groups.get(part) or groups.setdefault(part, parser.add_argument_group(GROUP_TITLES[part]))
        flags = (flag_of(field), *field.metadata.get("aliases", ()))
        help_text = help_of(field)
        if part == "client" and field.name != "name":  # what the named client has; the article's, for a start
            article = Client().flat()
            said = (
                f"naive: {_value_text(article[field.name])}"
                if field.name in article
                else f"{default_text_of(field)} when the mode is chosen"
            )
            help_text = f"{field.metadata.get('help', '')} (default: the named client's; {said})"
        kind = field.metadata.get("kind") or str(field.type)
        if kind is bool or str(kind).startswith("bool"):
            group.add_argument(*flags, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif field.metadata.get("repeat"):
            group.add_argument(
                *flags, dest=name, action="append", default=None, metavar=metavar_of(field), help=help_text
            )
        else:
            parse = number if str(kind).startswith(("int", "float")) else str
            once = {"action": _Once} if len(flags) > 1 else {}
            group.add_argument(
                *flags, dest=name, type=parse, default=None, metavar=metavar_of(field), help=help_text, **once
            )
    if limits:
        _add_limit_flags(parser)
    output = parser.add_argument_group("output")
    output.add_argument("--json", action="store_true", help="print JSON instead of a table (default: a table)")
    if limits:  # a run's records
        output.add_argument(
            "--save",
            metavar="DIR",
            help="also write each run's records (CSV: requests, auth calls, token events; API calls too with "
            "--record-calls) and its summary with provenance (JSON) (default: write nothing)",
        )


def _add_limit_flags(parser: argparse.ArgumentParser) -> None:
    limits = parser.add_argument_group("limits (checked before any run, from an estimate of its work)")
    limits.add_argument(
        "--max-requests", type=int, default=MAX_REQUESTS, metavar="N",
        help=f"refuse a run expected to make more requests than this (default: {MAX_REQUESTS:,})",
    )  # fmt: skip
    limits.add_argument(
        "--max-users", type=int, default=MAX_USERS, metavar="N",
        help=f"refuse a run with more users than this (default: {MAX_USERS:,})",
    )  # fmt: skip
    limits.add_argument(
        "--max-refreshes", type=int, default=MAX_REFRESHES, metavar="N",
        help=f"refuse a run expected to make more refresh calls than this, every try and every timer's counted "
        f"(default: {MAX_REFRESHES:,})",
    )  # fmt: skip


def _limits(args: argparse.Namespace) -> tuple[int, int, int]:
    """The per-run limits the flags give, each checked."""
    for flag in ("max_requests", "max_users", "max_refreshes"):
        if getattr(args, flag) < 1:
            raise ConfigError(flag, getattr(args, flag), "must be a whole number >= 1")
    return args.max_requests, args.max_users, args.max_refreshes


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m sim", description="Simulate dual-token silent refresh.")
    commands = parser.add_subparsers(
        dest="command", parser_class=_Parser, metavar="{run,compare,sweep,libraries,capacity,bench,figures}"
    )

    raw = argparse.RawDescriptionHelpFormatter
    one = commands.add_parser("run", help="simulate one client", description=RUN_DESCRIPTION, formatter_class=raw)
    one.add_argument(
        "--variant", default=None, metavar="NAME",
        help="run this one of the scenario file's [variants] (default: the scenario as it is)",
    )  # fmt: skip
    _add_scenario_flags(one)

    several = commands.add_parser(
        "compare", help="simulate several named clients on one seed", description=RUN_DESCRIPTION, formatter_class=raw
    )
    several.add_argument(
        "--clients",
        "--strategies",
        "--library",
        dest="clients",
        default=None,
        metavar="A,B,...",
        help=f"named clients to compare (default: the scenario file's strategies, or {', '.join(STRATEGY_NAMES)}); "
        "client flags apply to each",
    )
    several.add_argument(
        "--variants",
        default=None,
        metavar="A,B,...",
        help="run these of the scenario file's [variants], each with every client (default: all of them)",
    )
    several.add_argument(
        "--replications",
        type=int,
        default=1,
        metavar="N",
        help="run seeds seed..seed+N-1 and print each metric's mean and 95%% confidence half-width; "
        "--save then writes each run's summary, not its records (default: 1)",
    )
    several.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="run the clients (and replications) in N processes at once (default: 0, one per CPU; "
        "1: one after another)",
    )
    _add_scenario_flags(several, skip=("name",))

    bench = commands.add_parser("bench", help="speed and memory against a bare-SimPy floor")
    bench.add_argument(
        "--requests", type=int, default=1_000_000, help="about how many requests per workload (default: 1,000,000)"
    )
    bench.add_argument("--json", action="store_true", help="print JSON instead of a report (default: a report)")
    bench.add_argument(
        "--sweep", action="store_true",
        help="time a sweep instead: a process pool of 1 and of 2 workers, and a Dask LocalCluster",
    )  # fmt: skip

    sweeping = commands.add_parser(
        "sweep",
        help="run a sweep file: parameters x strategies x seeds, on every core or a Dask cluster",
        description="Run every point of a sweep file (see sim/sweep.py and docs/commands.md) with each strategy "
        "and seed; print the mean and 95%% half-width of a few metrics per point and strategy, and write every "
        "run (Parquet and CSV) and the per-point summary. Finished runs are cached: running again only runs "
        "what changed.",
    )
    sweeping.add_argument("file", metavar="FILE.toml", help="the sweep file")
    sweeping.add_argument("--out", metavar="DIR", help="write runs.parquet, runs.csv, points.csv here "
                          "(default: sweeps/<name>)")  # fmt: skip
    sweeping.add_argument(
        "--executor", choices=("inline", "processes", "dask"), default="processes",
        help="where runs are made (default: processes, one per CPU; --scheduler implies dask)",
    )  # fmt: skip
    sweeping.add_argument("--jobs", type=int, default=0, help="processes at once (default: 0, one per CPU)")
    sweeping.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="a running Dask scheduler to send runs to")
    sweeping.add_argument("--no-cache", action="store_true", help="run everything, even runs already cached")
    sweeping.add_argument("--cache-dir", default=".sweep-cache", metavar="DIR", help="default: .sweep-cache")
    sweeping.add_argument("--json", action="store_true", help="print the per-point summary as JSON rows")
    _add_limit_flags(sweeping)

    libraries = commands.add_parser(
        "libraries",
        help="the decision matrix: every client library and BFF token manager preset in five situations",
        description="Run every client library and every BFF token manager (sim.presets.CLIENTS of kind library "
        "or bff, each field cited in docs/libraries.md; a BFF on two round-robin instances) in five situations "
        "against one auth server's defaults, and print one library x "
        "situation table per cell: refresh calls per user, failed requests, logouts, p95 latency (ms).",
    )
    libraries.add_argument(
        "--server", default="article", metavar="NAME", help="the auth server's preset (default: article)"
    )
    libraries.add_argument(
        "--libraries", metavar="NAME[,NAME...]", help="only these libraries (default: all, in registry order)"
    )
    libraries.add_argument("--jobs", type=int, default=0, help="processes at once (default: 0, one per CPU)")
    libraries.add_argument("--json", action="store_true", help="print JSON rows instead of tables")
    libraries.add_argument("--save", metavar="DIR", help="also write the matrix as DIR/library_matrix.csv")

    _add_capacity_parser(commands)

    figures = commands.add_parser("figures", help="regenerate every figure and its data")
    figures.add_argument("--out", default="figures", help="output folder (default: figures)")
    figures.add_argument("--only", metavar="NAME[,NAME...]", help="rebuild only these figures (default: all)")
    return parser


CAPACITY_DESCRIPTION = (
    "The capacity model (sim/capacity): the refresh load of a steady workload's users over time, computed, not "
    "simulated, so ten million users take a second. Prints per client: mean and peak refresh rate, utilisation "
    "and p95 refresh wait at the auth workers given (--auth-capacity), the backlog if a peak is more than they "
    "take, and the workers needed for the target p95 wait. The workload is steady unless a file says otherwise; "
    "a scenario file's [capacity] section holds the settings below."
)


CHECK_USERS = "1000,10000,100000"


def _add_capacity_parser(commands: argparse._SubParsersAction) -> None:
    from .capacity.settings import CapacitySettings  # noqa: PLC0415

    parser = commands.add_parser(
        "capacity", help="the capacity model: a population's refresh load and the workers it needs, computed",
        description=CAPACITY_DESCRIPTION,
    )  # fmt: skip
    parser.add_argument(
        "--clients", "--strategies", dest="clients", default=None, metavar="A,B,...",
        help="named clients to model (default: the scenario file's client if it names one, else its strategies, "
        "else the command line's client); client flags apply to each",
    )  # fmt: skip
    model = parser.add_argument_group("the model ([capacity] in a scenario file)")
    for field in dataclasses.fields(CapacitySettings):
        parse = str if field.metadata.get("choices") else number
        model.add_argument(flag_of(field), dest=f"capacity.{field.name}", type=parse, default=None,
                           metavar=metavar_of(field), help=help_of(field))  # fmt: skip
    check = parser.add_argument_group("checking the model against the simulation")
    check.add_argument(
        "--check-against-sim", action="store_true",
        help="instead: run the model and the simulation on the check's own inputs (sim/capacity/check.py: "
        "naive, locked and a proactive client with jitter, uniform and synchronized logins) and print both",
    )  # fmt: skip
    check.add_argument("--check-users", default=CHECK_USERS, metavar="N,N,...",
                       help=f"the population sizes to check (default: {CHECK_USERS})")  # fmt: skip
    _add_scenario_flags(parser, limits=False)
    parser.add_argument_group("output").add_argument(
        "--save", metavar="DIR",
        help="also write capacity.csv (refresh calls a second, per peak bin, per client) and capacity.json",
    )  # fmt: skip


def scenario_from_args(args: argparse.Namespace) -> tuple[Scenario, tuple[str, ...], dict[str, Any]]:
    """The scenario the flags describe (defaults < scenario file < flags), the presets to
    run, and the fields the flags changed. ``run --variant NAME`` picks one of the file's variants."""
    scenario, strategies, changes, variants = _scenarios_from_args(args)
    variant = getattr(args, "variant", None)
    if variant is not None:
        if variant not in variants:
            allowed = f"must be one of {', '.join(variants)}" if variants else "needs a --scenario file with [variants]"
            raise ConfigError("variant", variant, allowed)
        scenario = variants[variant]
    return scenario, strategies, changes


def _scenarios_from_args(
    args: argparse.Namespace,
) -> tuple[Scenario, tuple[str, ...], dict[str, Any], dict[str, Scenario]]:
    """``scenario_from_args``, and the scenario file's variants with the flags applied to each."""
    if args.scenario is not None:
        scenario, strategies, variants = load_scenario_file(args.scenario)
    else:
        scenario, strategies, variants = Scenario(name="command line"), STRATEGY_NAMES, {}
    flagged = {name for _, name, _ in scenario_flags()}
    changes = {name: value for name, value in vars(args).items() if name in flagged and value is not None}
    if "workload.kind" in changes and changes["workload.kind"] != "trace" and "workload.arrivals" not in changes:
        changes["workload.arrivals"] = None  # switching away from a file's trace workload
    if getattr(args, "clients", None) is not None:
        strategies = _listed("clients", args.clients, client_names())
    scenario = scenario.with_(changes)
    variants = {name: variant.with_(changes) for name, variant in variants.items()}
    flagged_workload = {
        name.removeprefix("workload."): value for name, value in changes.items() if name.startswith("workload.")
    }
    refuse_unread(scenario.workload.kind, flagged_workload, "this run's")
    if "workload.kind" in changes:  # what the file set for another kind is refused, not kept unread
        for one in (scenario, *variants.values()):
            refuse_inherited(one.workload, "this run's")
    if scenario.record_calls and args.save is None:
        raise ConfigError("record_calls", True, "keeps every API call for --save DIR to write: give --save too")
    if args.save is not None:  # before any run: a folder that cannot be one fails now, not after the work
        output_folder(args.save, "save")
    return scenario, strategies, changes, variants


def _chosen_variants(args: argparse.Namespace, variants: dict[str, Scenario]) -> dict[str, Scenario]:
    """The variants ``compare --variants A,B`` names (all of the file's by default), each once."""
    if args.variants is None:
        return variants
    if not variants:
        raise ConfigError("variants", args.variants, "needs a --scenario file with [variants]")
    return {name: variants[name] for name in _listed("variants", args.variants, tuple(variants))}


def _listed(field: str, text: str, known: tuple[str, ...]) -> tuple[str, ...]:
    """The names a comma-separated list gives, each one of ``known`` and each once."""
    names = tuple(name.strip() for name in text.split(","))
    allowed = f"must be a comma-separated list drawn from {', '.join(known)}, each once"
    for name in names:
        if name not in known:
            raise ConfigError(field, name or text, allowed)
    if len(set(names)) < len(names):
        raise ConfigError(field, text, allowed)
    return names


def header(scenario: Scenario, changes: dict[str, Any], seeds: str, variants: dict[str, Scenario] | None = None) -> str:
    """What was run: the scenario, the fields the flags changed (the client's show in the table), the
    seeds, and the variants, each with what it sets otherwise."""
    changed = [
        f"{name.split('.')[-1]}={_value_text(value)}"
        for name, value in changes.items()
        if not name.startswith("client.")
        and name not in ("seed", "record_calls", "workload.kind")
        and value is not None
    ]
    with_ = f" with {' '.join(changed)}" if changed else ""
    lines = [f"scenario: {scenario.name}{with_}, {seeds}, {scenario.workload.kind} workload"]
    for name, variant in (variants or {}).items():
        lines.append(f"  {name}: {_differences(scenario, variant) or 'as is'}")
    return "\n".join(lines)


def _differences(base: Scenario, variant: Scenario) -> str:
    """The fields ``variant`` sets otherwise than ``base``: ``access_ttl_spread_s=1800``."""
    pairs, defaults = [], flat_defaults()  # a key the base's client does not read: as if at its default
    if base.client.name != variant.client.name:
        pairs.append(f"client={variant.client.name}")
    mine_changes = dict(base.client.changes)  # the client: the changes it makes to its named client
    pairs += [f"{name}={_value_text(value)}" for name, value in variant.client.changes
              if name not in mine_changes or mine_changes[name] != value]  # fmt: skip
    for part in scenario_parts():
        if part == "client":
            continue
        mine, theirs = flat_values(getattr(base, part)), flat_values(getattr(variant, part))
        pairs += [
            f"{name}={_value_text(value)}"
            for name, value in theirs.items()
            if mine.get(name, defaults.get(name)) != value
        ]
    return " ".join(pairs)


def _value_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else value_text(value)


def _checked(scenarios: list[Scenario], args: argparse.Namespace, replications: int = 1) -> Estimate:
    """The pre-flight check: the estimate of ``replications`` runs of each scenario, or a refusal if it passes a
    limit (the number of runs first, from the command's shape alone)."""
    limits = _limits(args)
    check_runs(len(scenarios) * replications)
    return sum((preflight(one, *limits, runs=replications) for one in scenarios), Estimate(0, 0, runs=0))


def _progress_bar(work: Estimate, unit: str = "requests", total: float | None = None):
    """A progress bar on stderr, for work expected to take a while, on a terminal only."""
    from tqdm import tqdm  # noqa: PLC0415

    shown = sys.stderr.isatty() and work.seconds > PROGRESS_AFTER_S
    return tqdm(total=round(total if total is not None else work.requests), unit=f" {unit}", disable=not shown,
                file=sys.stderr, dynamic_ncols=True, leave=False)  # fmt: skip


def _warn_if_empty(results: list[Result]) -> None:
    for result in results:
        workload = result.scenario.workload
        if result.summary["requests"] == 0 and workload.kind == "steady":
            spread = "at 0" if workload.synchronized else f"over the first {result.scenario.tokens.access_ttl_s} s"
            print(
                f"warning: {result.strategy} made no requests: users log in {spread} and load a page every "
                f"{1 / workload.page_rate_per_s:,.0f} s on average, and duration_s = {workload.duration_s:g} "
                "ended first",
                file=sys.stderr,
            )


def _save(results: list[Result], folder: str | None, stems: list[str] | None = None) -> None:
    if folder is not None:
        where = output_folder(folder, "save")
        for index, result in enumerate(results):
            try:
                written = result.save(where, stems[index] if stems else None)
            except OSError as error:
                raise ConfigError("save", error.filename, f"cannot be written ({error.strerror})") from None
            for path in written:
                print(f"wrote {path}", file=sys.stderr)


def _save_frame(runs: pd.DataFrame, folder: str | None) -> None:
    if folder is not None:
        path = output_folder(folder, "save") / "replications.csv"
        write_text(path, runs.to_csv(index=False), "save")
        print(f"wrote {path}", file=sys.stderr)


def _print_json(rows: Any) -> None:
    """JSON with no NaN or infinity in it (they are not JSON): those are ``null``."""
    ready = [json_ready(row) for row in rows] if isinstance(rows, list) else json_ready(rows)
    print(json.dumps(ready, allow_nan=False))


def _run(args: argparse.Namespace) -> None:
    scenario, _, changes = scenario_from_args(args)
    refuse_unread_deployment([scenario])
    work = _checked([scenario], args)
    with _progress_bar(work) as bar:
        result = run(scenario, progress=bar.update if not bar.disable else None)
    _warn_if_empty([result])
    _save([result], args.save)
    if args.json:
        _print_json(result.summary)
    else:
        print(header(scenario, changes, f"seed {scenario.seed}"))
        print(format_table(summary_table([result])))


def _compare_replicated(
    args: argparse.Namespace, scenario: Scenario, strategies: tuple[str, ...], changes: dict[str, Any]
) -> None:
    work = _checked([scenario.with_(client=name) for name in strategies], args, args.replications)
    runs = replicate(
        scenario, strategies, args.replications, first_seed=scenario.seed, jobs=args.jobs,
        progress=sys.stderr.isatty() and work.seconds > PROGRESS_AFTER_S,
    )  # fmt: skip
    table = confidence_table(runs, REPLICATED_ROWS, by=["strategy", *CLIENT_KEYS])
    _save_frame(runs, args.save)
    if args.json:
        _print_json(table.to_dict("records"))
    else:
        last = scenario.seed + args.replications - 1
        print(header(scenario, changes, f"seeds {scenario.seed}..{last}"))
        print(format_confidence_table(table))


def _compare(args: argparse.Namespace) -> None:
    scenario, strategies, changes, variants = _scenarios_from_args(args)
    if args.clients is None and _is_library(scenario.client.name):  # a file's [client] library: run it alone
        strategies = (scenario.client.name,)
    if args.replications < 1:
        raise ConfigError("replications", args.replications, "must be a whole number >= 1")
    if args.jobs < 0:
        raise ConfigError("jobs", args.jobs, "must be a whole number >= 0 (0: one process per CPU)")
    variants = _chosen_variants(args, variants)
    refuse_unread_deployment(
        one.with_(client=name) for one in (scenario, *variants.values()) for name in (*strategies, one.client.name)
    )
    if variants:
        return _compare_variants(args, scenario, strategies, changes, variants)
    if args.replications > 1:
        return _compare_replicated(args, scenario, strategies, changes)
    work = _checked([scenario.with_(client=name) for name in strategies], args)
    with _progress_bar(work, unit="runs", total=len(strategies)) as bar:
        results = compare(scenario, strategies, jobs=args.jobs, done=lambda _: bar.update())
    _warn_if_empty(results)
    _save(results, args.save)
    if args.json:
        _print_json([result.summary for result in results])
    else:
        print(header(scenario, changes, f"seed {scenario.seed}"))
        print(format_table(summary_table(results)))
    return None


def _is_library(name: str) -> bool:
    return name in client_names() and named_client(name).kind == "library"


def _compare_variants(
    args: argparse.Namespace,
    scenario: Scenario,
    strategies: tuple[str, ...],
    changes: dict[str, Any],
    variants: dict[str, Scenario],
) -> None:
    """Each variant of the scenario file with each strategy (a variant that names its own preset
    runs with that one only): one column per pair."""
    plan = [
        (name, variant.with_(client=s))
        for name, variant in variants.items()
        for s in (strategies if variant.client.name == scenario.client.name else (variant.client.name,))
    ]
    several = len(plan) > len(variants)
    labels = [f"{name}/{one.strategy}" if several else name for name, one in plan]
    work = _checked([one for _, one in plan], args, args.replications)
    seeds = f"seed {scenario.seed}"
    if args.replications > 1:
        runs = pd.concat(
            [
                replicate(one, (one.client.name,), args.replications, first_seed=one.seed, jobs=args.jobs).assign(
                    variant=name
                )
                for name, one in plan
            ],
            ignore_index=True,
        )
        table = confidence_table(runs, REPLICATED_ROWS, by=["variant", "strategy", *CLIENT_KEYS])
        _save_frame(runs, args.save)
        if args.json:
            return _print_json(table.to_dict("records"))
        seeds = f"seeds {scenario.seed}..{scenario.seed + args.replications - 1}"
        print(header(scenario, changes, seeds, variants))
        return print(format_confidence_table(table.assign(strategy=labels)))
    with _progress_bar(work, unit="runs", total=len(plan)) as bar:
        results = run_all([one for _, one in plan], jobs=args.jobs, done=lambda _: bar.update())
    _warn_if_empty(results)
    _save(results, args.save, stems=[label.replace("/", "-") for label in labels])
    if args.json:
        return _print_json(
            [{"variant": name, **result.summary} for (name, _), result in zip(plan, results, strict=True)]
        )
    print(header(scenario, changes, seeds, variants))
    print(format_table(summary_table(results).assign(strategy=labels)))
    return None


def _bench(args: argparse.Namespace) -> None:
    from .bench import format_report, format_sweep_report, run_benchmark, sweep_benchmark  # noqa: PLC0415

    if args.sweep:
        report = sweep_benchmark()
        return print(json.dumps(report) if args.json else format_sweep_report(report))
    if not 1000 <= args.requests <= 10_000_000:
        raise ConfigError("requests", args.requests, "must be a whole number from 1000 to 10000000")
    report = run_benchmark(args.requests)
    print(json.dumps(report) if args.json else format_report(report))


def _sweep(args: argparse.Namespace) -> None:
    from .sweep import PARQUET, SHOWN, load_sweep, sweep  # noqa: PLC0415

    if args.jobs < 0:
        raise ConfigError("jobs", args.jobs, "must be a whole number >= 0 (0: one process per CPU)")
    folder = output_folder(args.out, "out") if args.out is not None else None  # before any run: a bad path fails now
    the_sweep = load_sweep(args.file, _limits(args))
    folder = folder or output_folder(Path("sweeps") / the_sweep.name, "out")
    result = sweep(
        the_sweep, executor=args.executor, jobs=args.jobs, scheduler=args.scheduler, cache=not args.no_cache,
        cache_dir=args.cache_dir, progress=sys.stderr.isatty(),
    )  # fmt: skip
    for path in result.save(folder):
        print(f"wrote {path}", file=sys.stderr)
    if not PARQUET:
        print("runs.parquet not written: pyarrow is not installed (`make test` installs it)", file=sys.stderr)
    points = result.points
    if args.json:
        return _print_json(points.to_dict("records"))
    cached = len(result.runs) - result.ran
    print(f"sweep: {the_sweep.name}, {len(result.runs)} runs ({result.ran} run now, {cached} from the cache), "
          f"seeds {the_sweep.base.seed}..{the_sweep.base.seed + the_sweep.replications - 1}")  # fmt: skip
    shown = points[[*the_sweep.parameters, "strategy"]].copy()
    for metric in SHOWN[the_sweep.model]:
        pairs = zip(points[metric], points[f"{metric}_ci"], strict=True)
        shown[metric] = [_computed(m) if the_sweep.model == "capacity" else f"{m:,.3g} ± {ci:.2g}" for m, ci in pairs]
    print(shown.to_string(index=False))
    return None


def _computed(value: float) -> str:
    """A computed number (no interval): whole above a thousand, three figures below."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _libraries(args: argparse.Namespace) -> None:
    from .matrix import CELLS, MATRIX_NAMES, SITUATIONS, library_matrix, matrix_tables  # noqa: PLC0415

    chosen = MATRIX_NAMES if args.libraries is None else _listed("libraries", args.libraries, MATRIX_NAMES)
    if args.jobs < 0:
        raise ConfigError("jobs", args.jobs, "must be a whole number >= 0 (0: one process per CPU)")
    folder = output_folder(args.save, "save") if args.save is not None else None  # before the matrix's runs
    data = library_matrix(chosen, server=args.server, jobs=args.jobs)
    if folder is not None:
        path = folder / "library_matrix.csv"
        write_text(path, data.to_csv(index=False), "save")
        print(f"wrote {path}", file=sys.stderr)
    if args.json:
        return _print_json(data.to_dict("records"))
    print(f"server: {args.server}, seed 1; situations:")
    for name, what in SITUATIONS.items():
        print(f"  {name:7} {what}")
    for cell, table in matrix_tables(data).items():
        whole = table.map(lambda value: "-" if pd.isna(value) else f"{value:,.0f}")
        shown = table.round(1) if cell == "refresh_per_user" else whole
        print(f"\n{CELLS[cell]}:")
        print(shown.rename_axis(index=None, columns=None).to_string())
    return None


def _capacity(args: argparse.Namespace) -> None:
    from .capacity import capacity, format_answers  # noqa: PLC0415
    from .capacity.check import CHECK_HEADER, check_footer, check_line, cross_check  # noqa: PLC0415
    from .capacity.settings import CapacitySettings, load_capacity_settings  # noqa: PLC0415

    if args.check_against_sim:
        sizes = _sizes(args.check_users)
        print(CHECK_HEADER, flush=True)  # a row as each case is done: the largest take minutes
        cross_check(sizes, each=lambda row: print(check_line(row), flush=True))
        return print(check_footer())
    if args.check_users != CHECK_USERS:
        raise ConfigError("check_users", args.check_users, "sizes the check: give --check-against-sim too")
    if args.scenario is None and getattr(args, "workload.kind") is None:
        setattr(args, "workload.kind", "steady")  # what the model describes; a run's default is the burst
    scenario, clients, _, _ = _scenarios_from_args(args)
    named = args.scenario is None or getattr(args, "client.name") is not None or _is_library(scenario.client.name)
    if args.clients is None and named:  # one client: the command line's, or the file's library
        clients = (scenario.client.name,)
    file_settings = load_capacity_settings(args.scenario) if args.scenario else CapacitySettings()
    given = {name.removeprefix("capacity."): value for name, value in vars(args).items()
             if name.startswith("capacity.") and value is not None}  # fmt: skip
    settings = dataclasses.replace(file_settings, **given)
    results = [capacity(scenario.with_(client=name), settings) for name in clients]
    if args.save:
        _save_capacity(results, args.save)
    if args.json:
        return _print_json([result.answers for result in results])
    print(format_answers(results))
    return None


def _sizes(text: str) -> list[int]:
    """Population sizes from ``1000,10000``: whole numbers from 1 to 1,000,000 (each a simulation too)."""
    items = [item.strip() for item in text.split(",")]
    if not all(item.isdigit() and 1 <= int(item) <= 1_000_000 for item in items):
        raise ConfigError("check_users", text, "must be a comma-separated list of whole numbers from 1 to 1000000")
    return [int(item) for item in items]


def _save_capacity(results: list, folder: str) -> None:
    where = output_folder(folder, "save")
    frame = pd.DataFrame({"time_s": results[0].peak_bins_start_s()})
    for result in results:
        frame[f"{result.answers['client']}_per_s"] = result.peak_bins() / result.settings.peak_bin_s
    for name, text in (("capacity.csv", frame.to_csv(index=False)),
                       ("capacity.json", json.dumps([json_ready(r.answers) for r in results], indent=1))):  # fmt: skip
        write_text(where / name, text, "save")
        print(f"wrote {where / name}", file=sys.stderr)


def _figures(args: argparse.Namespace) -> None:
    from .figures import FIGURES, build_all  # noqa: PLC0415  (matplotlib only when asked for)

    only = None
    if args.only is not None:
        only = [name.strip() for name in args.only.split(",")]
        known = [spec.name for spec in FIGURES]
        unknown = [name for name in only if name not in known]
        if unknown:
            raise ConfigError("--only", ",".join(unknown), f"figure names, one or more of: {', '.join(known)}")
    terminal = sys.stderr.isatty()  # a bar on a terminal; a line per figure in a log (`make figures` in CI)
    told = None if terminal else lambda line: print(line, file=sys.stderr, flush=True)
    for path in build_all(output_folder(args.out, "out"), progress=terminal, only=only, told=told):
        print(path)


COMMANDS = {
    "run": _run,
    "compare": _compare,
    "sweep": _sweep,
    "libraries": _libraries,
    "capacity": _capacity,
    "bench": _bench,
    "figures": _figures,
}


def main(argv: list[str] | None = None) -> int:
    """Run a command; 0 if it went well, 2 for a mistake in the input (one line on stderr), 130 for Ctrl-C."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:  # a bare `python -m sim`: say what there is
            parser.print_help()
            return 0
        COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, inside the try, not at exit
    except (UsageError, ConfigError) as error:
        _say(f"error: {error}")
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except OSError as error:  # anything else the system refused: one line, naming the file if there is one
        where = f"{error.filename}: " if error.filename else ""
        _say(f"error: {where}{error.strerror or error}")
        return 2
    return 0


def _say(line: str) -> None:
    """One line on stderr; if stderr cannot take it (a full device, a closed pipe), the exit status still says."""
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr, flush=True)
