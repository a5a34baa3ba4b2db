"""Run real Python OAuth clients against the article's server: does each library preset behave as it?

The lab's presets ``authlib-sync`` and ``requests-oauthlib`` (sim/presets/libraries.py) say what
each library does when many threads share one session and its access token is due: both refresh
once per thread that finds it due (no lock). Here the libraries themselves run: one session, its
token due, ``requests`` threads calling the API at once, against ``server.js``'s OAuth token
endpoint (``/oauth/token``: the article's tokens, lifetimes, rotation and counters). What the
server counted is kept per repetition, as reality/run.py keeps the browser's.

    .venv/bin/python reality/python_clients.py --out reality/python_clients.json

The token is born with 1 s to live and the threads start 2.5 s later: every library's clock (they
read ``expires_in`` and round to whole seconds) sees it due.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import threading
import time
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

from run import ask, server  # reality/run.py, beside this file

HERE = Path(__file__).resolve().parent
LOGIN_TTL_S = 1
DUE_AFTER_S = 2.5
CLIENT_ID = "lab"
# oauthlib refuses http:// unless told; everything here is on 127.0.0.1 (Authlib does not ask)
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


@dataclass(frozen=True)
class PythonCase:
    library: str  # authlib-sync, requests-oauthlib: the lab's preset of the same name
    threads: int
    rotation: bool
    api_wait_ms: int = 50
    auth_wait_ms: int = 20  # rotation and the waits: what reality/run.py's server() reads

    @property
    def name(self) -> str:
        rotation = "rotation" if self.rotation else "no-rotation"
        return f"{self.library}/{self.threads}threads/{rotation}/api{self.api_wait_ms}ms"


def _session(library: str, base: str, token: dict):
    """One session of ``library`` holding ``token``, refreshing at the server's token endpoint."""
    url = f"{base}/oauth/token"
    if library == "authlib-sync":
        from authlib.integrations.requests_client import OAuth2Session  # noqa: PLC0415

        return OAuth2Session(CLIENT_ID, "secret", token=token, token_endpoint=url, update_token=lambda *a, **k: None)
    if library == "requests-oauthlib":
        from requests_oauthlib import OAuth2Session  # noqa: PLC0415

        return OAuth2Session(
            CLIENT_ID, token=token, auto_refresh_url=url, auto_refresh_kwargs={"client_id": CLIENT_ID},
            token_updater=lambda new: None,
        )  # fmt: skip
    raise ValueError(f"library = {library!r}: must be authlib-sync or requests-oauthlib")


def _login(base: str) -> dict:
    import requests  # noqa: PLC0415

    answer = requests.post(
        f"{base}/oauth/token", data={"grant_type": "password", "username": "admin", "password": "password"}, timeout=10
    )
    answer.raise_for_status()
    return answer.json()


def one_repetition(base: str, case: PythonCase) -> dict:
    """A fresh server state, one login, the token left to fall due, then every thread calls the API."""
    ask(base, "/reset", "POST")
    session = _session(case.library, base, _login(base))
    time.sleep(DUE_AFTER_S)
    outcomes = [None] * case.threads
    start = threading.Barrier(case.threads)

    def call(i: int) -> None:
        start.wait()  # all at once
        created = time.time()
        try:
            status = session.get(f"{base}/protected-resource?request={i}", timeout=30).status_code
        except Exception as error:  # the library raised: a refused refresh, as the preset's "fail"
            status = type(error).__name__
        outcomes[i] = {"request": i, "status": status, "latency_ms": round((time.time() - created) * 1000, 1)}

    threads = [threading.Thread(target=call, args=(i,)) for i in range(case.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return {"requests": outcomes, "server": ask(base, "/stats")}


def cases() -> list[PythonCase]:
    return [
        PythonCase(library, threads, rotation)
        for library, threads, rotation in itertools.product(
            ("authlib-sync", "requests-oauthlib"), (1, 10), (False, True)
        )
    ]


def run_cases(chosen: list[PythonCase], repetitions: int, progress=lambda line: print(line, flush=True)) -> dict:
    results = []
    for case in chosen:
        settings = {"LOGIN_ACCESS_TTL_S": LOGIN_TTL_S}
        with server(case, settings) as base:
            runs = [one_repetition(base, case) for _ in range(repetitions)]
        results.append({"case": asdict(case), "name": case.name, "runs": runs})
        refreshes = [run["server"]["refresh_calls"] for run in runs]
        answered = [sum(r["status"] == 200 for r in run["requests"]) for run in runs]
        progress(
            f"{case.name}: refresh calls {min(refreshes)}-{max(refreshes)}, answered {min(answered)}-{max(answered)}"
        )
    return {
        "versions": {name: version(name) for name in ("Authlib", "requests-oauthlib", "oauthlib", "requests")},
        "repetitions": repetitions,
        "cases": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "python_clients.json")
    args = parser.parse_args(argv)
    if args.repetitions < 1:
        parser.error(f"--repetitions = {args.repetitions}: must be at least 1")
    started = time.perf_counter()
    report = run_cases(cases(), args.repetitions)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out} ({len(report['cases'])} cases, {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
