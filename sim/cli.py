"""The command line: ``python -m sim run | compare | bench | figures``.

Every flag maps to one scenario field (``--access-ttl`` to ``access_ttl_s``)
and is made from that field's declaration (``sim.config.fields.setting``):
its name, type and help text, so a new field is a new flag with nothing to
add here. Flags override a ``--scenario`` file, which overrides the
defaults. Bad input prints one line, ``error: <field> = <value>: <what is
allowed>``, and exits with status 2; there is never a traceback for a
user's mistake.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from .config import POLICY_FIELDS, PRESETS, STRATEGY_NAMES, ConfigError, Scenario, policy_value_text, scenario_parts
from .config.fields import flag_of, help_of, metavar_of, on_command_line
from .experiment import compare, confidence_table, replicate, run, summary_table
from .metrics import json_ready
from .scenario_file import load_scenario

TABLE_ROWS = (
    "requests", "requests_ok", "requests_failed", "refresh_calls", "refresh_calls_ok", "refresh_amplification",
    "unauthorized_responses", "logouts", "latency_p50_s", "latency_p95_s", "latency_p99_s", "latency_max_s",
    "expiry_requests", "expiry_latency_p95_s", "clear_latency_p95_s", "auth_peak_in_flight", "sim_time_s",
    "wall_time_s",
)  # fmt: skip


def _presets_text() -> str:
    """Each preset and the policy fields it stands for, for --help."""
    return "; ".join(
        f"{name} = "
        + ", ".join(f"{field} {policy_value_text(value)}" for field, value in asdict(preset.policy).items())
        for name, preset in PRESETS.items()
    )


RUN_DESCRIPTION = (
    f"Simulate dual-token silent refresh. A client preset (--strategy) is a set of policy fields: {_presets_text()}. "
    "Any policy flag overrides its preset's value. Times are in seconds."
)


class UsageError(Exception):
    """A mistake on the command line; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise UsageError(message)


def number(text: str) -> float | int:
    """A number from the command line; whole numbers stay ``int``."""
    value = float(text)
    return int(value) if value.is_integer() else value


# The parts of a scenario as --help groups them.
GROUP_TITLES = {
    "tokens": "token lifetimes",
    "latencies": "latencies",
    "capacities": "server capacities",
    "workload": "workload",
    "client": "client: a preset, and policy fields that override it",
    "": "run",
}


def scenario_flags() -> list[tuple[str, str, dataclasses.Field]]:
    """(part, qualified name, field) for every scenario field that has a flag.

    The part is "" for the scenario's own fields (``seed``, ``record_calls``).
    """
    flags = [
        (part, f"{part}.{field.name}", field)
        for part, cls in scenario_parts().items()
        for field in dataclasses.fields(cls)
        if on_command_line(field)
    ]
    own = [f for f in dataclasses.fields(Scenario) if f.name not in scenario_parts() and on_command_line(f)]
    return flags + [("", field.name, field) for field in own]


def _add_scenario_flags(parser: argparse.ArgumentParser, *, skip: tuple[str, ...] = ()) -> None:
    parser.add_argument("--scenario", metavar="FILE.toml", help="scenario file; flags override it")
    groups: dict[str, argparse._ArgumentGroup] = {}
    for part, name, field in scenario_flags():
        if field.name in skip:
            continue
        group = groups.get(part) or groups.setdefault(part, parser.add_argument_group(GROUP_TITLES[part]))
        kind = str(field.type)
        if kind.startswith("bool"):
            group.add_argument(
                flag_of(field), dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_of(field)
            )
        else:
            parse = number if kind.startswith(("int", "float")) else str
            group.add_argument(
                flag_of(field), dest=name, type=parse, default=None, metavar=metavar_of(field), help=help_of(field)
            )
    output = parser.add_argument_group("output")
    output.add_argument("--json", action="store_true", help="print JSON instead of a table")
    output.add_argument(
        "--save", metavar="DIR", help="also write each run's records (CSV) and summary with provenance (JSON)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m sim", description="Simulate dual-token silent refresh.")
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="{run,compare,bench,figures}"
    )

    one = commands.add_parser("run", help="simulate one client preset", description=RUN_DESCRIPTION)
    _add_scenario_flags(one)

    several = commands.add_parser(
        "compare", help="simulate several client presets on one seed", description=RUN_DESCRIPTION
    )
    several.add_argument(
        "--strategies",
        default=None,
        metavar="A,B,...",
        help=f"presets to compare, from {', '.join(STRATEGY_NAMES)}; policy flags apply to each",
    )
    several.add_argument(
        "--replications",
        type=int,
        default=1,
        metavar="N",
        help="run seeds seed..seed+N-1 and print each metric's mean and 95%% confidence half-width",
    )
    several.add_argument(
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help="run the presets in N processes at once (default 0: one per CPU; 1: one after another)",
    )
    _add_scenario_flags(several, skip=("strategy",))

    bench = commands.add_parser("bench", help="speed and memory against a bare-SimPy floor")
    bench.add_argument("--requests", type=int, default=1_000_000, help="about how many requests (default 1e6)")
    bench.add_argument("--json", action="store_true")

    figures = commands.add_parser("figures", help="regenerate every figure and its data")
    figures.add_argument("--out", default="figures", help="output folder (default figures/)")
    return parser


def scenario_from_args(args: argparse.Namespace) -> tuple[Scenario, tuple[str, ...]]:
    """The scenario the flags describe: defaults < scenario file < flags."""
    if args.scenario:
        scenario, strategies = load_scenario(args.scenario)
    else:
        scenario, strategies = Scenario(name="command line"), STRATEGY_NAMES
    flagged = {name for _, name, _ in scenario_flags()}
    changes = {name: value for name, value in vars(args).items() if name in flagged and value is not None}
    if "workload.kind" in changes and changes["workload.kind"] != "trace" and "workload.arrivals" not in changes:
        changes["workload.arrivals"] = None  # switching away from a file's trace workload
    if getattr(args, "strategies", None):
        strategies = tuple(name.strip() for name in args.strategies.split(","))
        for name in strategies:
            if name not in STRATEGY_NAMES:
                raise ConfigError("strategies", name, f"must be drawn from {', '.join(STRATEGY_NAMES)}")
    scenario = scenario.with_(changes)
    if scenario.workload.kind == "trace":
        from .workload import read_arrivals  # noqa: PLC0415

        read_arrivals(scenario.workload.arrivals)  # fail now, with the file's line, not mid-run
    return scenario, strategies


def _save(results: list, folder: str | None) -> None:
    if folder:
        for result in results:
            for path in result.save(Path(folder)):
                print(f"wrote {path}", file=sys.stderr)


def format_table(table: pd.DataFrame) -> str:
    """Metrics down, clients across: first the policy fields each client resolved to, then the metrics."""

    def cell(value: Any) -> str:
        if isinstance(value, bool | str):
            return policy_value_text(value)
        if isinstance(value, float):
            return "-" if math.isnan(value) else f"{value:,.3f}"
        return f"{value:,}"

    rows = [*POLICY_FIELDS, *TABLE_ROWS]
    shown = pd.DataFrame({row["strategy"]: [cell(row[key]) for key in rows] for _, row in table.iterrows()})
    shown.index = rows
    return shown.to_string()


def _run(args: argparse.Namespace) -> None:
    scenario, _ = scenario_from_args(args)
    result = run(scenario)
    _save([result], args.save)
    if args.json:
        print(json.dumps(json_ready(result.summary)))
    else:
        table = summary_table([result])
        print(f"scenario: {scenario.name}, seed {scenario.seed}")
        print(format_table(table))


def format_confidence_table(table: pd.DataFrame) -> str:
    """Metrics down, clients across, each cell ``mean ± half-width`` (policy fields as they are)."""

    def cell(mean: float, half: float) -> str:
        if math.isnan(mean):
            return "-"
        return f"{mean:,.3f} ± {half:,.3f}" if not math.isnan(half) else f"{mean:,.3f}"

    keys = [key for key in TABLE_ROWS if key != "wall_time_s"]
    shown = pd.DataFrame(
        {
            row["strategy"]: [policy_value_text(row[name]) for name in POLICY_FIELDS]
            + [cell(row[key], row[f"{key}_ci"]) for key in keys]
            for _, row in table.iterrows()
        }
    )
    shown.index = [*POLICY_FIELDS, *keys]
    return shown.to_string()


def _compare_replicated(args: argparse.Namespace, scenario: Scenario, strategies: tuple[str, ...]) -> None:
    runs = replicate(scenario, strategies, args.replications, first_seed=scenario.seed)
    table = confidence_table(runs, [key for key in TABLE_ROWS if key != "wall_time_s"], by=["strategy", *POLICY_FIELDS])
    _save_frame(runs, args.save)
    if args.json:
        print(json.dumps([json_ready(row) for row in table.to_dict("records")]))
    else:
        last = scenario.seed + args.replications - 1
        print(f"scenario: {scenario.name}, seeds {scenario.seed}..{last}, {scenario.workload.kind} workload")
        print(format_confidence_table(table))


def _save_frame(runs: pd.DataFrame, folder: str | None) -> None:
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = Path(folder) / "replications.csv"
        runs.to_csv(path, index=False)
        print(f"wrote {path}", file=sys.stderr)


def _compare(args: argparse.Namespace) -> None:
    scenario, strategies = scenario_from_args(args)
    if args.replications < 1:
        raise ConfigError("replications", args.replications, "must be a whole number >= 1")
    if args.replications > 1:
        return _compare_replicated(args, scenario, strategies)
    if args.jobs < 0:
        raise ConfigError("jobs", args.jobs, "must be a whole number >= 0 (0: one process per CPU)")
    results = compare(scenario, strategies, jobs=args.jobs)
    _save(results, args.save)
    if args.json:
        print(json.dumps([json_ready(result.summary) for result in results]))
    else:
        table = summary_table(results)
        print(f"scenario: {scenario.name}, seed {scenario.seed}, {scenario.workload.kind} workload")
        print(format_table(table))


def _bench(args: argparse.Namespace) -> None:
    from .bench import format_report, run_benchmark  # noqa: PLC0415

    if args.requests < 1000:
        raise ConfigError("requests", args.requests, "must be a whole number >= 1000")
    report = run_benchmark(args.requests)
    print(json.dumps(report) if args.json else format_report(report))


def _figures(args: argparse.Namespace) -> None:
    from .figures import build_all  # noqa: PLC0415  (matplotlib only when asked for)

    for path in build_all(Path(args.out), progress=True):
        print(path)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        {"run": _run, "compare": _compare, "bench": _bench, "figures": _figures}[args.command](args)
    except (UsageError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
