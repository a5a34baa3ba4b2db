"""Measure how late one Chromium tab sees another tab's ``localStorage`` write.

The lab's ``cross_tab_lock`` takes a Web Lock and looks at the store again before it refreshes;
under rotation that second look must see the refresh token the previous holder just wrote. In
real tabs it sometimes did not (reality/results.json). Two measurements, in two tabs of one
browser context (client/storage-probe.js has the tabs' side):

- ``delay``: one tab writes a value every ``--gap-ms``; the other polls ``getItem`` and notes when
  each value first shows. The delay of each write, ms.
- ``handoff``: one tab holds the Web Lock, writes, releases; the other, queued on the same lock,
  reads as soon as it holds it. How often it reads the old value.

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


def measure(samples: int, gap_ms: int, handoffs: int, hold_ms: int) -> dict:
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
            fresh = []
            for i in range(handoffs):
                value = samples + i  # new values, never written before
                writer.evaluate(f"probe.takeLockThenWrite({value}, {hold_ms})")
                reader.evaluate(f"probe.readUnderLock({value})")
                writer.evaluate("probe.held")
                fresh.append(bool(reader.evaluate("probe.handoff")))
            version = browser.version
        finally:
            browser.close()
    return {
        "chromium": version,
        "delay": {"gap_ms": gap_ms, "written": samples, "seen": len(delays), "delays_ms": delays},
        "handoff": {"hold_ms": hold_ms, "tries": handoffs, "old_value_read": fresh.count(False)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200, help="writes for the delay (default 200)")
    parser.add_argument("--gap-ms", type=int, default=20, help="between two writes (default 20)")
    parser.add_argument("--handoffs", type=int, default=200, help="lock handoffs (default 200)")
    parser.add_argument("--hold-ms", type=int, default=5, help="how long the writer holds the lock (default 5)")
    parser.add_argument("--out", type=Path, default=HERE / "storage.json")
    args = parser.parse_args(argv)
    for name in ("samples", "gap_ms", "handoffs", "hold_ms"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} = {getattr(args, name)}: must be at least 1")
    started = time.perf_counter()
    report = measure(args.samples, args.gap_ms, args.handoffs, args.hold_ms)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    delays = report["delay"]["delays_ms"]
    print(
        f"delay: {len(delays)} of {args.samples} writes seen, median {statistics.median(delays):.2f} ms, "
        f"max {max(delays):.2f} ms; handoff: {report['handoff']['old_value_read']} of {args.handoffs} "
        f"reads under the lock saw the old value ({time.perf_counter() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
