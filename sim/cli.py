"""The command line: ``python -m sim run | compare | bench | figures``.

Every flag maps to one scenario field (``--access-ttl`` to ``access_ttl_s``);
flags override a ``--scenario`` file, which overrides the defaults. Bad
input prints one line, ``error: <field> = <value>: <what is allowed>``, and
exits with status 2; there is never a traceback for a user's mistake.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from .config import STRATEGY_NAMES, WORKLOAD_KINDS, ConfigError, Scenario
from .experiment import compare, confidence_table, replicate, run, summary_table
from .metrics import json_ready
from .scenario_file import load_scenario

# flag -> (scenario field, type, help)
SCENARIO_FLAGS: dict[str, tuple[str, Any, str]] = {
    "--workload": ("kind", str, f"one of {', '.join(WORKLOAD_KINDS)}"),
    "--users": ("users", int, "number of sessions"),
    "--concurrency": ("concurrency", int, "requests per burst or per page"),
    "--at": ("at_s", float, "burst: when the requests fire, s (default: access TTL + 1)"),
    "--page-rate": ("page_rate_per_s", float, "steady: pages per second per user"),
    "--duration": ("duration_s", float, "steady: how long users load pages, s"),
    "--arrivals": ("arrivals", str, "trace: CSV file of time_s,user"),
    "--access-ttl": ("access_ttl_s", float, "access-token lifetime, whole s (default 900)"),
    "--refresh-ttl": ("refresh_ttl_s", float, "refresh-token lifetime, whole s (default 604800)"),
    "--leeway": ("leeway_s", float, "clock tolerance past exp, s (default 0)"),
    "--rtt": ("rtt_s", float, "client-server round trip, s"),
    "--api-service": ("api_service_s", float, "API work per valid request, s"),
    "--api-401-service": ("api_401_service_s", float, "API time to reject a bad token, s"),
    "--auth-service": ("auth_service_s", float, "auth server time per login/refresh, s"),
    "--service-distribution": ("service_distribution", str, "fixed or exponential"),
    "--api-capacity": ("api_capacity", int, "API workers (0 = unbounded)"),
    "--auth-capacity": ("auth_capacity", int, "auth workers (0 = unbounded)"),
    "--relogin-after": ("relogin_after_s", float, "think time before logging in again after a logout, s"),
    "--seed": ("seed", int, "random seed"),
}

TABLE_ROWS = (
    "requests", "requests_ok", "requests_failed", "refresh_calls", "refresh_calls_ok", "refresh_amplification",
    "unauthorized_responses", "logouts", "latency_p50_s", "latency_p95_s", "latency_p99_s", "latency_max_s",
    "expiry_requests", "expiry_latency_p95_s", "clear_latency_p95_s", "auth_peak_in_flight", "sim_time_s",
    "wall_time_s",
)  # fmt: skip


class UsageError(Exception):
    """A mistake on the command line; printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise UsageError(message)


def number(text: str) -> float | int:
    """A number from the command line; whole numbers stay ``int``."""
    value = float(text)
    return int(value) if value.is_integer() else value


def _add_scenario_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", metavar="FILE.toml", help="scenario file; flags override it")
    for flag, (field, kind, text) in SCENARIO_FLAGS.items():
        typ = number if kind is float else kind
        parser.add_argument(flag, dest=field, type=typ, default=None, help=text)
    parser.add_argument("--synchronized", dest="synchronized", action="store_true", default=None,
                        help="steady: all users log in at time 0")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--save", metavar="DIR", help="also write each run's records (CSV) and summary with provenance (JSON)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m sim", description="Simulate dual-token silent refresh.")
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="{run,compare,bench,figures}"
    )

    one = commands.add_parser("run", help="simulate one strategy")
    one.add_argument("--strategy", choices=STRATEGY_NAMES, default=None)
    _add_scenario_flags(one)

    several = commands.add_parser("compare", help="simulate several strategies on one seed")
    several.add_argument("--strategies", default=None, metavar="A,B,...", help=f"from {', '.join(STRATEGY_NAMES)}")
    several.add_argument(
        "--replications",
        type=int,
        default=1,
        metavar="N",
        help="run seeds seed..seed+N-1 and print each metric's mean and 95%% confidence half-width",
    )
    _add_scenario_flags(several)

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
    changes = {field: getattr(args, field) for field, *_ in SCENARIO_FLAGS.values()}
    changes["synchronized"] = args.synchronized
    if getattr(args, "strategy", None):
        changes["strategy"] = args.strategy
    changes = {key: value for key, value in changes.items() if value is not None}
    if "kind" in changes and changes["kind"] != "trace" and "arrivals" not in changes:
        changes["arrivals"] = None  # switching away from a file's trace workload
    if getattr(args, "strategies", None):
        strategies = tuple(name.strip() for name in args.strategies.split(","))
        for name in strategies:
            if name not in STRATEGY_NAMES:
                raise ConfigError("strategies", name, f"must be drawn from {', '.join(STRATEGY_NAMES)}")
    scenario = scenario.with_(**changes)
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
    """Metrics down, strategies across: easy to read with three columns."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return "-" if math.isnan(value) else f"{value:,.3f}"
        return f"{value:,}"

    shown = pd.DataFrame({row["strategy"]: [cell(row[key]) for key in TABLE_ROWS] for _, row in table.iterrows()})
    shown.index = list(TABLE_ROWS)
    return shown.to_string()


def _run(args: argparse.Namespace) -> None:
    scenario, _ = scenario_from_args(args)
    result = run(scenario)
    _save([result], args.save)
    if args.json:
        print(json.dumps(json_ready(result.summary)))
    else:
        print(f"scenario: {scenario.name}, seed {scenario.seed}")
        print(format_table(summary_table([result])))


def format_confidence_table(table: pd.DataFrame) -> str:
    """Metrics down, strategies across, each cell ``mean ± half-width``."""

    def cell(mean: float, half: float) -> str:
        if math.isnan(mean):
            return "-"
        return f"{mean:,.3f} ± {half:,.3f}" if not math.isnan(half) else f"{mean:,.3f}"

    keys = [key for key in TABLE_ROWS if key != "wall_time_s"]
    shown = pd.DataFrame(
        {row["strategy"]: [cell(row[key], row[f"{key}_ci"]) for key in keys] for _, row in table.iterrows()}
    )
    shown.index = keys
    return shown.to_string()


def _compare_replicated(args: argparse.Namespace, scenario: Scenario, strategies: tuple[str, ...]) -> None:
    runs = replicate(scenario, strategies, args.replications, first_seed=scenario.seed)
    table = confidence_table(runs, [key for key in TABLE_ROWS if key != "wall_time_s"])
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
    results = compare(scenario, strategies)
    _save(results, args.save)
    if args.json:
        print(json.dumps([json_ready(result.summary) for result in results]))
    else:
        print(f"scenario: {scenario.name}, seed {scenario.seed}, {scenario.workload.kind} workload")
        print(format_table(summary_table(results)))


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
