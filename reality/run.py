"""Run the article's real stack: its server in Node, its interceptor in Chromium tabs.

For each case (a strategy, a number of tabs of one browser, requests per tab, rotation on or off,
the server's waits) and each repetition: the case's tabs in a browser context of their own (opened
for the case and reloaded, their localStorage emptied, for each further repetition), one login whose
access token is born expired, then every tab fires its requests at the same moment. What the tabs saw
(each request's status, calls and times) and what the server counted (refresh calls, rejected
refreshes, revoked families, every call's times) are kept, per repetition, in a JSON file.

    .venv/bin/python reality/run.py --matrix quick --out reality/results.json

The browser is the distribution's Chromium (``apt-get install -y chromium``), driven by
Playwright; the server is ``reality/server.js`` (``npm ci`` in ``reality/`` first: ``make
reality`` does both). Everything is on 127.0.0.1, and the server exits when this script does.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ACCESS_TTL_S = 900  # the article's 15 minutes for a refreshed token; the login's is born expired
START_DELAY_MS = 200  # every tab's burst starts at one agreed moment this far ahead


@dataclass(frozen=True)
class Case:
    strategy: str  # naive, locked, weblock, worker (reality/client/interceptors.js)
    tabs: int
    requests_per_tab: int
    rotation: bool  # with reuse detection: a rotated refresh token used again revokes its family
    api_wait_ms: int = 50
    auth_wait_ms: int = 20

    @property
    def name(self) -> str:
        rotation = "rotation" if self.rotation else "no-rotation"
        return f"{self.strategy}/{self.tabs}tabs/{self.requests_per_tab}req/{rotation}/api{self.api_wait_ms}ms"


STRATEGIES = ("naive", "locked", "weblock", "worker")  # reality/client/interceptors.js


def matrix(kind: str) -> list[Case]:
    """The cases: ``quick`` (for CI, a couple of minutes), ``full`` (``make reality``), or a strategy's
    name (the full matrix's cases of that strategy: ``worker``, say)."""
    if kind in STRATEGIES:
        return [case for case in matrix("full") if case.strategy == kind]
    if kind == "quick":
        return [
            Case(strategy, tabs, per_tab, rotation)
            for strategy, (tabs, per_tab), rotation in itertools.product(
                ("naive", "locked", "weblock"), ((1, 5), (3, 3)), (False, True)
            )
        ]
    counts = [
        Case(strategy, tabs, per_tab, rotation, api_wait_ms)
        for strategy, tabs, per_tab, rotation, api_wait_ms in itertools.product(
            STRATEGIES, (1, 2, 4), (1, 4, 10), (False, True), (50,)
        )
    ]
    # Latency under load: 50 requests at once (10 at once are above), in one tab or across five, at two API waits.
    load = [
        Case(strategy, tabs, per_tab, False, api_wait_ms)
        for strategy, (tabs, per_tab), api_wait_ms in itertools.product(
            ("naive", "locked"), ((1, 50), (5, 10)), (50, 200)
        )
    ]
    return counts + load


def chromium_path() -> str:
    path = next((found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None)
    if path is None:
        sys.exit("reality/run.py: no Chromium on PATH: install it with `apt-get install -y chromium` (Debian)")
    return path


@contextmanager
def server(case: Case, overrides: dict | None = None):
    """The article's server for ``case`` (its rotation and waits), on a free port of 127.0.0.1, with any
    other settings in ``overrides``; stopped on the way out."""
    if not (HERE / "node_modules" / "express").exists():
        sys.exit("reality/run.py: the server's packages are missing: run `npm ci` in reality/ (make reality does)")
    settings = {
        "ACCESS_TTL_S": ACCESS_TTL_S,
        "LOGIN_ACCESS_TTL_S": 0,
        "ROTATION": int(case.rotation),
        "REUSE_DETECTION": int(case.rotation),
        "API_WAIT_MS": case.api_wait_ms,
        "AUTH_WAIT_MS": case.auth_wait_ms,
        "IDLE_EXIT_S": 900,  # a server waits while the matrix runs cases of other settings
        **(overrides or {}),
    }
    process = subprocess.Popen(
        ["node", str(HERE / "server.js")],
        env={**os.environ, **{name: str(value) for name, value in settings.items()}},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = json.loads(process.stdout.readline())["listening"]
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stdin.close()  # the server exits when its stdin closes
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def ask(base: str, path: str, method: str = "GET") -> dict:
    with urllib.request.urlopen(urllib.request.Request(base + path, method=method), timeout=10) as answer:
        return json.load(answer)


def open_tabs(browser, base: str, case: Case) -> tuple:
    """A fresh context (its own localStorage, Web Locks and SharedWorkers) with the case's tabs loaded."""
    context = browser.new_context()
    pages = []
    for tab in range(case.tabs):
        page = context.new_page()
        page.goto(f"{base}/index.html?strategy={case.strategy}&tab={tab}")
        pages.append(page)
    return context, pages


def reload_tabs(pages: list) -> None:
    """The same tabs started again: localStorage emptied, every page reloaded (its scripts, its refresh in
    flight and its Web Locks gone). Quicker than new tabs, and the same start for the next repetition."""
    pages[0].evaluate("localStorage.clear()")
    for page in pages:
        page.reload()


def one_repetition(base: str, pages: list, case: Case) -> dict:
    """One login, the burst, what everyone saw."""
    ask(base, "/reset", "POST")
    pages[0].evaluate("lab.login()")
    at_ms = int(time.time() * 1000) + START_DELAY_MS
    for page in pages:
        page.evaluate(f"lab.schedule({at_ms}, {case.requests_per_tab})")
    if time.time() * 1000 >= at_ms:  # a tab would fire late: the burst would not be one moment
        sys.exit(f"reality/run.py: scheduling {case.tabs} tabs took over {START_DELAY_MS} ms; raise START_DELAY_MS")
    tabs = [page.evaluate("lab.results()") for page in pages]
    return {"burst_at_ms": at_ms, "tabs": tabs, "server": ask(base, "/stats")}


def run_case(browser, base: str, case: Case, repetitions: int) -> list[dict]:
    """The case's repetitions: its tabs opened once and reloaded between repetitions (a SharedWorker
    may outlive the reloads; each login hands it new tokens)."""
    context, pages = open_tabs(browser, base, case)
    try:
        runs = []
        for repetition in range(repetitions):
            if repetition:
                reload_tabs(pages)
            runs.append(one_repetition(base, pages, case))
    finally:
        context.close()
    return runs


def run_matrix(cases: list[Case], repetitions: int, progress=lambda line: print(line, flush=True)) -> dict:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (only the harness needs it)

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            with ExitStack() as servers:
                started: dict[tuple, str] = {}  # one server per setting of rotation and waits, reset per run
                for number, case in enumerate(cases, 1):
                    settings = (case.rotation, case.api_wait_ms, case.auth_wait_ms)
                    if settings not in started:
                        started[settings] = servers.enter_context(server(case))
                    runs = run_case(browser, started[settings], case, repetitions)
                    results.append({"case": asdict(case), "name": case.name, "runs": runs})
                    progress(f"[{number}/{len(cases)}] {case.name}: {summary_line(runs)}")
            chromium_version = browser.version
        finally:
            browser.close()
    return {
        "versions": {
            "chromium": chromium_version,
            "node": subprocess.run(["node", "--version"], check=True, capture_output=True, text=True).stdout.strip(),
            "packages": {
                name: json.loads((HERE / "node_modules" / name / "package.json").read_text())["version"]
                for name in ("express", "jsonwebtoken", "axios")
            },
            "python": platform.python_version(),
            "cpus": os.cpu_count(),  # the tabs, Node and this script share them: latency depends on it
        },
        "access_ttl_s": ACCESS_TTL_S,
        "repetitions": repetitions,
        "cases": results,
    }


def summary_line(runs: list[dict]) -> str:
    refreshes = [run["server"]["refresh_calls"] for run in runs]
    answered = [sum(r["status"] == 200 for tab in run["tabs"] for r in tab["records"]) for run in runs]
    return f"refresh calls {min(refreshes)}-{max(refreshes)}, answered {min(answered)}-{max(answered)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--matrix", choices=("quick", "full", *STRATEGIES), default="quick")
    parser.add_argument(
        "--append", action="store_true", help="add the cases to --out's (same versions), replacing any of the same name"
    )
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    if args.repetitions < 1:
        parser.error(f"--repetitions = {args.repetitions}: must be at least 1")
    started = time.perf_counter()
    report = run_matrix(matrix(args.matrix), args.repetitions)
    report["matrix"] = args.matrix
    if args.append:  # the earlier runs kept, these added: only if the stack and repetitions are the same
        earlier = json.loads(args.out.read_text())
        same = {"repetitions": report["repetitions"], "access_ttl_s": report["access_ttl_s"]}
        same.update(
            {f"versions.{key}": value for key, value in report["versions"].items() if key in earlier["versions"]}
        )
        for name, value in same.items():
            before = earlier["versions"][name[9:]] if name.startswith("versions.") else earlier[name]
            if before != value:
                sys.exit(f"reality/run.py: --append: {name} = {value} here, {before} in {args.out}")
        report["versions"] = {**report["versions"], **earlier["versions"]}  # what the earlier runs recorded
        names = {entry["name"] for entry in report["cases"]}
        report["cases"] = [entry for entry in earlier["cases"] if entry["name"] not in names] + report["cases"]
        report["matrix"] = earlier.get("matrix", "full") + "+" + args.matrix
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out} ({len(report['cases'])} cases, {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
