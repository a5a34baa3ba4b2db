"""The command line as a hostile user meets it: random flags, random scenario and sweep files (issue 26).

Whatever comes in, the command ends with status 0, or with status 2 and one line on stderr, never a
traceback (an exception escaping ``main`` fails the test with its example), and within a budget of time
and memory per case. The cases run in-process through ``main`` (an import per case would cost more
than most runs), each with tight work limits so that an accepted run stays small: the limits are part
of what is tested, as the estimate must catch what would run away.

The fast tier runs a few dozen derandomized examples of each (the same ones every time); ``make test``
runs the ``_long`` variants, hundreds of examples searched at random.
"""

import math
import resource
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import build_parser, main
from sim.scenario import scenario_parts
from sim.scenario_file import SCENARIOS_DIR, SECTIONS, TOP_LEVEL, _field_names
from sim.sweep import SWEEP_KEYS

# Every accepted run is small: a few thousand requests and refreshes at most.
LIMITS = ["--max-requests", "3000", "--max-refreshes", "1000", "--max-users", "200"]
SECONDS_PER_CASE = 10.0  # a small run takes well under a second; a loaded machine, several times that
MAX_RSS_BYTES = 2 * 1024**3

FAST = settings(max_examples=25, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))  # fmt: skip
LONG = settings(max_examples=300, derandomize=False, deadline=None, suppress_health_check=list(HealthCheck))


def run_flags() -> list[tuple[str, bool, tuple]]:
    """(flag, takes a value, its choices) for every option of ``run``."""
    run_parser = next(a for a in build_parser()._subparsers._group_actions[0].choices.items() if a[0] == "run")[1]
    return [
        (action.option_strings[0], action.nargs != 0, tuple(action.choices or ()))
        for action in run_parser._actions
        if action.option_strings and action.option_strings[0] not in ("-h", "--help", "--save", "--scenario")
        and not action.option_strings[0].startswith("--max-")
    ]  # fmt: skip


FLAGS = run_flags()
SENSIBLE = st.sampled_from(["1", "2", "3", "5", "0.5", "0.05", "60", "0"])
EDGES = st.sampled_from(["-1", "1e-12", "1e308", "-0", "nan", "inf", "1e9", "1000000", "99999999999999999999999"])
NUMBERS = st.one_of(SENSIBLE, SENSIBLE, SENSIBLE, EDGES)  # mostly a run that is made, sometimes an edge
TEXTS = st.sampled_from(["", " ", "a", "0:1000000000", "1:2", "5:1", "1:2:silent", "0:1e9:1000", "1:0", "naive", "x,y"])


@st.composite
def argv(draw) -> list[str]:
    command = draw(st.sampled_from(["run", "run", "run", "compare"]))
    args = [command]
    for flag, takes_value, choices in draw(st.lists(st.sampled_from(FLAGS), max_size=3)):
        if not takes_value:
            args.append(draw(st.sampled_from([flag, flag.replace("--", "--no-", 1)])))
            continue
        values = [st.sampled_from(choices)] * 3 if choices else [NUMBERS] * 2
        args += [flag, draw(st.one_of(*values, NUMBERS, TEXTS))]
    if command == "compare":
        args += draw(st.sampled_from([[], ["--replications", "2"], ["--replications", "1000000"]]))
        args += ["--jobs", "1"]  # no process pool per example
    return [*args, *LIMITS, "--json"]


def check(capsys, argv: list[str]) -> None:
    """Status 0, or 2 with one line; within the time and memory budget."""
    start = time.perf_counter()
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse's own exits (none expected: the parser raises instead)
        status = exit_.code
    seconds = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert status in (0, 2), (status, err[-2000:])
    assert "Traceback" not in err
    if status == 2:
        assert len(err.splitlines()) == 1 and err.startswith("error: ") and out == "", err
    assert seconds < SECONDS_PER_CASE, f"{seconds:.1f} s: {argv}"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 < MAX_RSS_BYTES


# -- files ---------------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.integers(-2, 5),
    st.integers(1, 5),
    st.sampled_from([0.5, 2.0, 30, 60, 300]),
    st.sampled_from([0.5, 1e-12, 1e308, -1.5, math.inf, math.nan, 10**9, 2**64, 10**30]),
    st.booleans(),
    st.sampled_from(["", "a", "naive", "steady", "trace", "0:1000000000", "1:2", "../x", "/dev/zero"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["a", "start", "stop", "num", "step", "scale"]), inner, max_size=3), max_leaves=6)  # fmt: skip


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else "inf"
            if value == math.inf
            else "-inf"
            if value == -math.inf
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml(top: dict, tables: dict) -> str:
    lines = [f"{key} = {toml_value(value)}" for key, value in top.items()]
    for name, table in tables.items():
        lines.append(f"[{name}]")
        lines += [f'"{key}" = {toml_value(value)}' for key, value in table.items()]
    return "\n".join(lines) + "\n"


KEYS = {section: _field_names(cls) for section, cls in scenario_parts().items()}
NAMES = st.sampled_from(["naive", "locked", "queued", "auth0-spa-js"])


def usually(good: st.SearchStrategy) -> st.SearchStrategy:
    """``good`` three times in four, anything otherwise."""
    return st.one_of(good, good, good, SCALARS)


GOOD_TOP = {  # what a top-level key usually holds, beside the SCALARS anything may hold
    "name": st.sampled_from(["fuzz", "a b", "x-1"]),
    "description": st.just("a description"),
    "seed": st.integers(0, 10),
    "strategies": st.lists(NAMES, min_size=1, max_size=3),
    "record_calls": st.booleans(),
    "replications": st.integers(1, 3),
    "design": st.sampled_from(["factorial", "zip"]),
}


@st.composite
def scenario_text(draw) -> str:
    top = draw(st.fixed_dictionaries({}, optional={key: usually(GOOD_TOP.get(key, SCALARS)) for key in TOP_LEVEL[:-1]}))
    if draw(st.integers(0, 9)) == 9:
        top["speed"] = draw(SCALARS)
    tables = {}
    for section in draw(st.lists(st.sampled_from([*SECTIONS, *SECTIONS, "engine"]), max_size=3, unique=True)):
        keys = st.sampled_from([*KEYS.get(section, ["a"]), *KEYS.get(section, ["a"]), "nonsense"])
        tables[section] = draw(st.dictionaries(keys, VALUES, max_size=3))
    if draw(st.booleans()):
        section = draw(st.sampled_from(SECTIONS))
        tables[f"variants.v.{section}"] = draw(st.dictionaries(st.sampled_from(KEYS[section]), SCALARS, max_size=2))
    return toml(top, tables)


@st.composite
def sweep_text(draw, base: str) -> str:
    top = {"scenario": base}
    own = [key for key in SWEEP_KEYS if key not in ("scenario", "parameters", "base")]
    top.update(draw(st.fixed_dictionaries({}, optional={key: usually(GOOD_TOP.get(key, SCALARS)) for key in own})))
    fields = st.sampled_from(["users", "concurrency", "tabs", "access_ttl_s", "client"] * 3 + ["seed", "strategy", "x"])
    ranges = st.fixed_dictionaries(
        {"start": SCALARS, "stop": SCALARS},
        optional={"num": st.sampled_from([0, 1, 2, 3, 2.5, True, "a", 10**9]), "step": SCALARS, "scale": SCALARS},
    )
    values = st.lists(st.integers(1, 4), min_size=1, max_size=3) | st.lists(SCALARS, max_size=3) | ranges | SCALARS
    tables = {"parameters": draw(st.dictionaries(fields, values, max_size=2))}
    if draw(st.booleans()):
        tables["base"] = draw(st.dictionaries(fields, SCALARS, max_size=2))
    return toml(top, tables)


# -- the tests -----------------------------------------------------------------------------------


def flags_case(capsys, args):
    check(capsys, args)


def scenario_case(capsys, tmp_path, text):
    path = tmp_path / "fuzz.toml"
    path.write_text(text)
    check(capsys, ["run", "--scenario", str(path), *LIMITS, "--json"])


def sweep_case(capsys, tmp_path, text):
    path = tmp_path / "fuzz-sweep.toml"
    path.write_text(text)
    check(capsys, ["sweep", str(path), "--out", str(tmp_path / "out"), "--executor", "inline", "--no-cache",
                   *LIMITS, "--json"])  # fmt: skip


BURST = str(SCENARIOS_DIR / "burst.toml")  # the base of every sweep


@FAST
@given(args=argv())
def test_random_flags(capsys, args):
    flags_case(capsys, args)


@FAST
@given(text=scenario_text())
def test_random_scenario_files(capsys, tmp_path, text):
    scenario_case(capsys, tmp_path, text)


@FAST
@given(text=sweep_text(BURST))
def test_random_sweep_files(capsys, tmp_path, text):
    sweep_case(capsys, tmp_path, text)


@pytest.mark.slow
@LONG
@given(args=argv())
def test_random_flags_long(capsys, args):
    flags_case(capsys, args)


@pytest.mark.slow
@LONG
@given(text=scenario_text())
def test_random_scenario_files_long(capsys, tmp_path, text):
    scenario_case(capsys, tmp_path, text)


@pytest.mark.slow
@LONG
@given(text=sweep_text(BURST))
def test_random_sweep_files_long(capsys, tmp_path, text):
    sweep_case(capsys, tmp_path, text)
