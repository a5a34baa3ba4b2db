"""Execute notebooks in place and write them back with nothing that changes from run to run.

Usage: python tools/run_notebooks.py notebooks/[0-9]*.ipynb   (what `make notebooks` runs)

Each notebook runs from a clean kernel with its own folder as working directory, the
way tests/test_notebook_outputs.py runs it. What `jupyter nbconvert --execute --inplace`
would also write, and this script leaves out, so that re-running an unchanged notebook
gives a byte-identical file (and `git diff` shows only real changes):

- execution timestamps in each cell's metadata (``metadata.execution``);
- the widget state in the notebook's metadata (``metadata.widgets``), full of random ids;
- the random ``model_id`` of each widget view output: replaced by one made of the
  notebook's name, the cell's index and the output's index (its ``text/plain`` stays);
- how the kernel happened to split printed text into stream outputs: ipykernel sends
  stdout on a 0.2 s timer, so one print can arrive as two outputs ("...4" and "\\n").
  Adjacent stream outputs of the same name are merged, which is what a reader sees.

Execution counts are numbered 1, 2, 3... as usual. If a cell fails, that notebook is
left untouched, the error is printed, and the script exits with status 1.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

import nbformat
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from traitlets import Type
from traitlets.config import Config

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in a kernel's traceback


def widget_model_id(stem: str, cell_index: int, output_index: int) -> str:
    """The model id written for a widget view; tests/test_notebooks.py checks this form."""
    return f"{stem}-cell{cell_index}-output{output_index}"


class SlicedChannel(AsyncZMQSocketChannel):
    """A kernel channel that waits for a message one second at a time.

    nbclient waits for a cell's reply with one poll as long as the cell timeout. Under
    load, pyzmq's asyncio poll can miss the wake-up of a message that has arrived (seen
    once in 20 loaded test runs: a reply waited out the whole cell timeout, 600 s, then the poll
    found it on timing out and the run passed, ten minutes late). Polling in slices finds
    such a message within a second; the total timeout is unchanged.
    """

    async def get_msg(self, timeout: float | None = None) -> dict:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
            try:
                return await super().get_msg(timeout=wait)
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise


class KernelClient(AsyncKernelClient):
    """nbclient's kernel client, with the shell (replies) and IOPub (outputs) channels sliced."""

    shell_channel_class = Type(SlicedChannel)
    iopub_channel_class = Type(SlicedChannel)


def client(notebook: nbformat.NotebookNode, folder: Path, sockets: str) -> NotebookClient:
    """An nbclient runner that records no timings; its kernel listens on files named ``sockets``-N."""
    # Kernel sockets: over TCP, jupyter_client picks free ports, closes them, and the kernel
    # binds them a moment later; another process (a second test run, another kernel) can take
    # one in between and the kernel dies with "Address already in use". Unix sockets in a
    # folder of our own cannot be taken (Windows has no ipc transport: TCP there).
    manager = {"transport": "tcp"} if os.name == "nt" else {"transport": "ipc", "ip": sockets}
    manager["client_factory"] = KernelClient
    return NotebookClient(
        notebook,
        config=Config({"KernelManager": manager}),
        kernel_name="python3",  # jupyter_client starts it with this interpreter (sys.executable)
        resources={"metadata": {"path": str(folder)}},  # working directory: the notebook's folder
        timeout=300,  # per cell; the slowest takes a few seconds
        record_timing=False,  # no metadata.execution timestamps
        # Widget state is still collected (with store_widget_state=False, nbclient 0.11 fails
        # with a KeyError in output_widget.py as soon as an interact() Output widget prints),
        # and metadata.widgets is dropped afterwards, in without_volatile_metadata.
        store_widget_state=True,
        # After a cell's reply, wait for all its output (the default, 4 s, can pass on a
        # loaded machine and then the outputs are silently cut short); fail rather than cut.
        iopub_timeout=120,
        raise_on_iopub_timeout=True,
    )


def merge_streams(outputs: list) -> list:
    """Adjacent stream outputs of the same name, joined: the split depends on flush timing."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output["output_type"] == "stream"
            and previous is not None
            and previous["output_type"] == "stream"
            and previous["name"] == output["name"]
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def without_volatile_metadata(notebook: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """The notebook with everything that changes from run to run removed or made stable."""
    notebook.metadata.pop("widgets", None)
    for cell_index, cell in enumerate(notebook.cells):
        cell.metadata.pop("execution", None)  # also drops timings saved by an earlier tool
        if cell.cell_type != "code":
            continue
        cell.outputs = merge_streams(cell.outputs)
        for output_index, output in enumerate(cell.outputs):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is not None:
                view["model_id"] = widget_model_id(stem, cell_index, output_index)
    return notebook


class NotebookFailed(Exception):
    """A cell raised, timed out, or killed the kernel: the notebook did not run to its end."""


def execute(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path`` executed from a clean kernel (the file is not written)."""
    notebook = nbformat.read(path, as_version=4)
    current = {"cell": None}  # the cell being run, for the error message
    try:
        with tempfile.TemporaryDirectory(prefix="nb-kernel-", ignore_cleanup_errors=True) as folder:
            runner = client(notebook, path.parent.resolve(), sockets=os.path.join(folder, "kernel"))
            runner.on_cell_start = lambda cell, cell_index: current.update(cell=cell_index)
            runner.execute()
    # RuntimeError: jupyter_client's "Kernel died before replying to kernel_info" and the like.
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as error:
        where = "the kernel, before any cell ran,"
        if current["cell"] is not None:
            first_line = notebook.cells[current["cell"]].source.strip().splitlines()[0]
            where = f"cell {current['cell']} ({first_line!r})"
        what = f"{error.ename}: {error.evalue}" if isinstance(error, CellExecutionError) else type(error).__name__
        raise NotebookFailed(f"{where} failed with {ANSI.sub('', what)}\n{ANSI.sub('', str(error))}") from error
    return notebook


def run(path: Path) -> None:
    """Execute one notebook and write it back without volatile metadata."""
    notebook = without_volatile_metadata(execute(path), path.stem)
    # Written to a neighbour first, then renamed: an interrupted run leaves the old file whole.
    partial = path.with_suffix(".ipynb.partial")
    nbformat.write(notebook, partial)
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    failed = []
    for path in args.notebooks:
        started = time.monotonic()
        try:
            run(path)
        except NotebookFailed as error:
            failed.append(path)
            print(f"FAILED {path}: {error}\n({path} left unchanged)", file=sys.stderr)
        else:
            print(f"ran {path} ({time.monotonic() - started:.1f} s)")
    if failed:
        print(f"{len(failed)} notebook(s) failed to run: {', '.join(map(str, failed))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
