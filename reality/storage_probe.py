"""Measure how late one Chromium tab sees another tab's ``localStorage`` write.

The lab's ``cross_tab_lock`` takes a Web Lock and looks at the store again before it refreshes;
under rotation that second look must see the refresh token the previous holder just wrote. In
real tabs it sometimes did not (reality/results.json). Two measurements, in two tabs of one
browser context (client/storage-probe.js has the tabs' side):

- ``delay``: one tab writes a value every ``--gap-ms``; the other polls ``getItem`` and notes when
  each value first shows. The delay of each write, ms.
- ``handoff``: one tab holds the Web Lock, writes, releases; the other, queued on the same lock,
  reads as soon as it holds it. How often it reads the old value, and how long the lock took to
  pass from one tab to the other (ms). The writer holds the lock 20 to 200 ms, round the cases'
  refresh (a tab waits for the lock while another refreshes): the odds depend on it (with 5 ms, a
  quarter of the reads were old; with 100 ms, one in a hundred), so they are measured over a spread.
- ``worker``: how long a tab's first question to a newly started SharedWorker takes, and a second.

It also writes the samples the model draws from (``tab_sync = "measured"``) to
``sim/client/tab_sync.json``.

    .venv/bin/python reality/storage_probe.py --out reality/storage.json

Same server, browser and rules as reality/run.py (127.0.0.1 only, the server exits with us).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from run import Case, chromium_path, server  # reality/run.py, beside this file

HERE = Path(__file__).resolve().parent
MODEL_COPY = HERE.parent / "sim" / "client" / "tab_sync.json"


def measure(samples: int, gap_ms: int, handoffs: int, holds_ms: tuple[int, ...], worker_starts: int) -> dict:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (only the harness needs it)

    with sync_playwright() as playwright, server(Case("naive", 2, 1, False)) as base:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        try:
            context = browser.new_context()
            writer, reader = (context.new_page() for _ in range(2))
            for page in (writer, reader):
                page.goto(f"{base}/index.html")
                page.add_script_tag(url=f"{base}/storage-probe.js")
            reader.evaluate(f"() => {{ probe.watching = probe.watch({samples}, {samples * gap_ms + 5000}); }}")
            written = writer.evaluate(f"probe.write({samples}, {gap_ms})")
            seen = reader.evaluate("probe.watching")
            delays = [round(s - w, 3) for w, s in zip(written, seen, strict=True) if s is not None]
            fresh, grants = [], []
            for i in range(handoffs):
                value = samples + i  # new values, never written before
                writer.evaluate(f"probe.takeLockThenWrite({value}, {holds_ms[i % len(holds_ms)]})")
                reader.evaluate(f"probe.readUnderLock({value})")
                writer.evaluate("probe.held")
                read = reader.evaluate("probe.handoff")
                fresh.append(bool(read["fresh"]))
                grants.append(round(read["granted"] - writer.evaluate("probe.released"), 3))
            context.close()
            workers = []
            for _ in range(worker_starts):  # a new context each time: a SharedWorker of its own to start
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{base}/index.html")
                page.add_script_tag(url=f"{base}/storage-probe.js")
                workers.append([round(ms, 3) for ms in page.evaluate("probe.askWorker()")])
                context.close()
            version = browser.version
        finally:
            browser.close()
    return {
        "chromium": version,
        "delay": {"gap_ms": gap_ms, "written": samples, "seen": len(delays), "delays_ms": delays},
        "handoff": {
            "holds_ms": list(holds_ms),  # handoff i held the lock holds_ms[i % len(holds_ms)]
            "tries": handoffs,
            "old_value_read": fresh.count(False),
            "grants_ms": grants,  # from the writer letting go of the lock to the reader holding it
            "fresh": fresh,  # whether each read under the lock saw the value just written
        },
        "worker": {
            "starts": worker_starts,
            "first_answer_ms": [first for first, _ in workers],  # the worker's start and one message
            "next_answer_ms": [second for _, second in workers],  # one message there and back
        },
    }


def model_copy(report: dict) -> dict:
    """The samples the model draws from (``tab_sync = "measured"``, sim/client/tab_sync.py), ms."""
    return {
        "source": "reality/storage.json, measured by reality/storage_probe.py",
        "chromium": report["chromium"],
        "visibility_ms": report["delay"]["delays_ms"],
        "lock_grant_ms": report["handoff"]["grants_ms"],
        "handoffs": report["handoff"]["tries"],
        "handoffs_old_value": report["handoff"]["old_value_read"],
        "worker_start_ms": report["worker"]["first_answer_ms"],
        "worker_message_ms": report["worker"]["next_answer_ms"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200, help="writes for the delay (default 200)")
    parser.add_argument("--gap-ms", type=int, default=20, help="between two writes (default 20)")
    parser.add_argument("--handoffs", type=int, default=200, help="lock handoffs (default 200)")
    parser.add_argument(
        "--holds-ms", default="20,50,100,200", help="how long the writer holds the lock, in turn (default 20,50,100,200)"
    )
    parser.add_argument("--worker-starts", type=int, default=20, help="SharedWorkers started (default 20)")
    parser.add_argument("--out", type=Path, default=HERE / "storage.json")
    parser.add_argument(
        "--model-copy", type=Path, default=MODEL_COPY, help=f"the model's copy of the samples (default {MODEL_COPY})"
    )
    args = parser.parse_args(argv)
    for name in ("samples", "gap_ms", "handoffs", "worker_starts"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} = {getattr(args, name)}: must be at least 1")
    try:
        holds_ms = tuple(int(hold) for hold in args.holds_ms.split(","))
    except ValueError:
        holds_ms = ()
    if not holds_ms or min(holds_ms) < 1:
        parser.error(f"--holds-ms = {args.holds_ms}: must be whole numbers of ms, at least 1, split by commas")
    started = time.perf_counter()
    report = measure(args.samples, args.gap_ms, args.handoffs, holds_ms, args.worker_starts)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    args.model_copy.write_text(json.dumps(model_copy(report), indent=1) + "\n")
    delays = report["delay"]["delays_ms"]
    print(
        f"delay: {len(delays)} of {args.samples} writes seen, median {statistics.median(delays):.2f} ms, "
        f"max {max(delays):.2f} ms; handoff: {report['handoff']['old_value_read']} of {args.handoffs} "
        f"reads under the lock saw the old value, the lock passed in a median "
        f"{statistics.median(report['handoff']['grants_ms']):.2f} ms; a new SharedWorker answered in a median "
        f"{statistics.median(report['worker']['first_answer_ms']):.1f} ms, then "
        f"{statistics.median(report['worker']['next_answer_ms']):.2f} ms ({time.perf_counter() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
