"""Proof that the fast tier (``make check``) can fail: each named one-line mutation of ``sim/`` must be caught.

The working tree's ``sim/``, ``tests/`` (``conftest.py`` with them) and ``pyproject.toml`` are copied into a
temporary folder, with the files the tests read (README, requirements, scenarios, docs, notebooks). The
unmutated copy is run once: a test that already fails there is reported and left out of every later run, so
a tree in the middle of someone's edit still says something. Then, for each mutation, one exact source string
(found exactly once in its file, or the tool stops with an error) is replaced in the copy, the fast tier's
pytest runs there (``python -m pytest -m "not full" -x -q``, ``HYPOTHESIS_PROFILE=check``, ``PYTHONPATH`` the
copy, a fresh Hypothesis database) until its first failure, and the file is put back. One line per mutation:
its name, ``caught`` or ``NOT CAUGHT``, the seconds it took and the first failing test. Exit status 1 if any
mutation was not caught, 2 on an error (a string not found, a baseline that does not run).

    .venv/bin/python tools/mutations.py              # every mutation
    .venv/bin/python tools/mutations.py retry-ceiling proactive-margin
    .venv/bin/python tools/mutations.py --list
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ["sim", "tests", "pyproject.toml"]  # the code under test and the tests
READ_BY_TESTS = ["README.md", "requirements.txt", "requirements-sim.txt", "scenarios", "docs", "notebooks", "tools"]
IGNORED = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis")
PYTEST = ["-m", "pytest", "tests", "-m", "not full", "-q", "-p", "no:cacheprovider"]
TIMEOUT_S = 900


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # inside sim/
    old: str  # found exactly once in the file
    new: str
    what: str


MUTATIONS = [
    Mutation(
        "held-sent-after-failed-refresh",
        "sim/client/interceptors.py",
        "    if new_token is None or not tab.logged_in:  # the refresh failed, or another tab's did\n",
        "    if False:  # mutated: the guard is off\n",
        "held: a request held during a refresh is sent even though the refresh failed or the tab logged out",
    ),
    Mutation(
        "verifier-loses-leeway",
        "sim/tokens.py",
        'if verdict.ok and SIM_EPOCH + now_s >= verdict.claims["exp"] + self.leeway_s:',
        'if verdict.ok and SIM_EPOCH + now_s >= verdict.claims["exp"]:',
        "TokenVerifier.check: expired at exp, no leeway (always for refresh tokens; access ones on first sight)",
    ),
    Mutation(
        "refresh-verifier-loses-leeway",
        "sim/servers/auth.py",
        'self.verifier = TokenVerifier("refresh", tokens.leeway_s)',
        'self.verifier = TokenVerifier("refresh")',
        "the auth server's refresh-token verifier alone has no leeway (the API's keeps it)",
    ),
    Mutation(
        "api-checks-at-send-queued",
        "sim/servers/resource.py",
        "handle = lambda now_s: self._handle(token, now_s, request)  # noqa: E731",
        "handle = lambda now_s: self._handle(token, sent, request)  # noqa: E731",
        "an API with a worker pool checks the token at the moment it was sent, not when a worker picks it up",
    ),
    Mutation(
        "api-checks-at-send-no-queue",
        "sim/servers/resource.py",
        "if self._plainly_valid(token, arrived):",
        "if self._plainly_valid(token, sent):",
        "an API with no queue accepts a token that was alive when sent, though dead when it arrived",
    ),
    Mutation(
        "p95-is-p90",
        "sim/metrics.py",
        "p50, p95, p99 = quantiles(latency_ok, (0.50, 0.95, 0.99))",
        "p50, p95, p99 = quantiles(latency_ok, (0.50, 0.90, 0.99))",
        "summarize: latency_p95_s is the 90th percentile",
    ),
    Mutation(
        "grace-lets-any-earlier-token",
        "sim/servers/families.py",
        "if grace_s > 0 and refresh_jti == family.predecessor and now_s - family.rotated_s <= grace_s:",
        "if grace_s > 0 and now_s - family.rotated_s <= grace_s:",
        "rotation: within the grace window any rotated-out token is accepted, not only the immediate predecessor",
    ),
    Mutation(
        "grace-window-boundary-open",
        "sim/servers/families.py",
        "and now_s - family.rotated_s <= grace_s:",
        "and now_s - family.rotated_s < grace_s:",
        "rotation: a predecessor presented exactly grace_s after its rotation is refused",
    ),
    Mutation(
        "outage-covers-its-end",
        "sim/config/faults.py",
        "if not self.start_s <= now_s < self.end_s:",
        "if not self.start_s <= now_s <= self.end_s:",
        "Outage.refusal: the window [start, end) also covers its end instant",
    ),
    Mutation(
        "percentiles-of-failed-requests-too",
        "sim/metrics.py",
        "p50, p95, p99 = quantiles(latency_ok, (0.50, 0.95, 0.99))",
        "p50, p95, p99 = quantiles(latency, (0.50, 0.95, 0.99))",
        "summarize: latency percentiles over every request, failed ones included",
    ),
    Mutation(
        "retry-ceiling-off-by-one",
        "sim/client/retry.py",
        "return min(self.retry_cap_s, self.retry_base_s * 2 ** (failed - 1))",
        "return min(self.retry_cap_s, self.retry_base_s * 2**failed)",
        "Backoff.ceiling_s: the exponential ceiling doubled (base * 2**failed)",
    ),
    Mutation(
        "retry-budget-ignored",
        "sim/client/retry.py",
        "if tries.budget is not None and tries.budget.take(now_s):",
        "if False:  # mutated: the budget is never consulted",
        "Retrying.next_wait_s: the retry budget is never consulted",
    ),
    Mutation(
        "proactive-margin-ignored",
        "sim/client/device_clock.py",
        "return expires_at, expires_at - margin",
        "return expires_at, expires_at",
        "Clock.learned: refresh_at is the expiry itself, the margin ignored",
    ),
]


class MutationError(Exception):
    """A mutation that cannot be applied as written: the tool stops rather than skip it."""


def mutated_text(mutation: Mutation, text: str) -> str:
    count = text.count(mutation.old)
    if count != 1:
        found = "not found" if count == 0 else f"found {count} times"
        raise MutationError(f"{mutation.name}: {mutation.old!r} {found} in {mutation.path}")
    new_text = text.replace(mutation.old, mutation.new)
    try:
        compile(new_text, mutation.path, "exec")
    except SyntaxError as error:
        raise MutationError(f"{mutation.name}: the mutated {mutation.path} does not compile: {error}") from error
    return new_text


def copy_tree(into: Path) -> None:
    for name in COPIED + READ_BY_TESTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=IGNORED)
        elif source.exists():
            shutil.copy2(source, into / name)
        elif name in COPIED:
            raise MutationError(f"{source} is missing")


def environment(copy: Path) -> dict[str, str]:
    env = dict(os.environ, HYPOTHESIS_PROFILE="check", PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    return env


def imports_the_copy(copy: Path) -> None:
    """The copy's ``sim`` must be the one imported, not the editable install of the working tree."""
    shown = subprocess.run(
        [sys.executable, "-c", "import sim; print(sim.__file__)"],
        cwd=copy, env=environment(copy), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if shown.returncode or not Path(shown.stdout.strip()).resolve().is_relative_to(copy.resolve()):
        raise MutationError(f"the copy does not import its own sim: {shown.stdout.strip() or shown.stderr.strip()}")


def pytest(copy: Path, extra: list[str]) -> tuple[int, str, float]:
    shutil.rmtree(copy / ".hypothesis", ignore_errors=True)  # each run on its own: no example from another
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, *PYTEST, *extra],
            cwd=copy, env=environment(copy), capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return -1, "", time.perf_counter() - start
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - start


FAILURE = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.MULTILINE)


def failures(output: str) -> list[str]:
    """The failing tests' ids, in the order pytest's short summary lists them."""
    return FAILURE.findall(output)


def baseline(copy: Path) -> list[str]:
    """The tests that fail with nothing mutated (to be left out), after checking that the tier runs at all."""
    status, output, seconds = pytest(copy, [])
    if status not in (0, 1):
        raise MutationError(f"the unmutated fast tier did not run (pytest exit {status}):\n{output[-3000:]}")
    failing = failures(output)
    if status == 1 and not failing:
        raise MutationError(f"the unmutated fast tier failed, but no failing test was named:\n{output[-3000:]}")
    print(f"{'(unmutated)':<32} {'passes' if not failing else 'fails':<11} {seconds:6.1f} s", flush=True)
    for test in failing:
        print(f"  already failing, left out of every run: {test}", flush=True)
    return failing


def run_one(copy: Path, mutation: Mutation, left_out: list[str]) -> bool:
    path = copy / mutation.path
    original = path.read_text(encoding="utf-8")
    path.write_text(mutated_text(mutation, original), encoding="utf-8")
    try:
        deselect = [arg for test in left_out for arg in ("--deselect", test)]
        status, output, seconds = pytest(copy, ["-x", *deselect])
    finally:
        path.write_text(original, encoding="utf-8")
    failing = failures(output)
    if status == -1:
        verdict, first = "NOT CAUGHT", f"(timed out after {TIMEOUT_S} s)"
    elif status == 0:
        verdict, first = "NOT CAUGHT", "-"
    elif status in (1, 2) and failing:  # 2: a collection error, which -x also stops at
        verdict, first = "caught", failing[0]
    else:
        raise MutationError(f"{mutation.name}: pytest exit {status} and no failing test named:\n{output[-3000:]}")
    print(f"{mutation.name:<32} {verdict:<11} {seconds:6.1f} s  {first}", flush=True)
    return verdict == "caught"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutations to run (all of them if none)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    known = {mutation.name: mutation for mutation in MUTATIONS}
    if args.list:
        for mutation in MUTATIONS:
            print(f"{mutation.name:<32} {mutation.path}: {mutation.what}")
        return 0
    unknown = [name for name in args.names if name not in known]
    if unknown:
        parser.error(f"no mutation named {', '.join(unknown)} (see --list)")
    chosen = [known[name] for name in args.names] or MUTATIONS
    try:
        for mutation in chosen:  # every string is checked before the long runs start
            mutated_text(mutation, (ROOT / mutation.path).read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory(prefix="mutations-") as folder:
            copy = Path(folder)
            copy_tree(copy)
            imports_the_copy(copy)
            left_out = baseline(copy)
            caught = [run_one(copy, mutation, left_out) for mutation in chosen]
    except MutationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    missed = caught.count(False)
    print(f"{len(caught) - missed} of {len(caught)} caught" + (f"; {missed} NOT CAUGHT" if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
