"""Rebuilding ``figures/``: every figure's drawing, its data as CSV, and the index ``README.md``.

``build_all(out_dir)`` is what ``python -m sim figures`` runs. The files are
byte-identical from one run to the next: fixed seeds, fixed float
formatting, no wall-clock times, PNGs saved without the software or date
stamps, and GIFs in one palette chosen the same way each time.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd
from matplotlib.animation import Animation
from matplotlib.figure import Figure
from tqdm.auto import tqdm

from .animation import save_gif
from .registry import FIGURES
from .spec import FigureSpec

CSV_FLOAT_FORMAT = "%.6g"
PNG_DPI = 150


def csv_text(data: pd.DataFrame) -> str:
    """The CSV a figure's data is saved as (fixed float format, no index)."""
    return data.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")


def read_csv_text(text: str) -> pd.DataFrame:
    """Read back what ``csv_text`` wrote (empty fields stay empty strings)."""
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


def save_figure(figure: Figure, path: Path) -> None:
    """Save as PNG with no software or date stamp, so reruns are byte-identical."""
    figure.savefig(path, dpi=PNG_DPI, metadata={"Software": None})


def build_all(
    out_dir: Path,
    progress: bool = False,
    only: Iterable[str] | None = None,
    specs: Iterable[FigureSpec] = FIGURES,
    told: Callable[[str], None] | None = None,
) -> list[Path]:
    """Rebuild every figure of ``specs`` (the registry's, by default; or those named in ``only``), its
    data and an index ``README.md`` of them in ``out_dir``. ``progress`` shows a bar; ``told`` hears a line
    as each figure starts (for a log, where a bar would not show)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    specs = tuple(specs)
    chosen = specs if only is None else tuple(spec for spec in specs if spec.name in set(only))
    written = []
    started = time.perf_counter()
    for number, spec in enumerate(tqdm(chosen, disable=not progress, desc="figures"), start=1):
        if told is not None:
            told(f"figure {number}/{len(chosen)}: {spec.name} ({time.perf_counter() - started:.0f} s so far)")
        data = spec.data()
        csv_path = out_dir / f"{spec.name}.csv"
        csv_path.write_text(csv_text(data))
        drawn, path = spec.figure(data), out_dir / spec.file
        if isinstance(drawn, Animation):
            save_gif(drawn, path)
        else:
            save_figure(drawn, path)
        written += [path, csv_path]
    readme = out_dir / "README.md"
    readme.write_text(readme_text(specs))
    written.append(readme)
    return written


NO_NOTEBOOK = "the README or a page of `docs/`, and the site"  # where a figure no notebook draws is shown


def readme_text(specs: Iterable[FigureSpec] = FIGURES) -> str:
    """The figures' index: file, what it shows, how it is made, who uses it."""
    lines = [
        "# Figures",
        "",
        "Rebuilt by `python -m sim figures` (`sim.figures.build_all`); do not edit by",
        "hand. Each `<name>.png` (`<name>.gif` for an animation) is drawn by",
        "`sim.figures.fig_<name>` from `<name>.csv`, which is what the data function",
        "`sim.figures.<name>_data()` returns (it runs the simulation with fixed",
        "seeds). `tests/test_figures.py` checks that the data still comes out the",
        "same, so a model change that moves a figure shows.",
        "",
    ]
    for spec in specs:
        notebooks = ", ".join(f"`notebooks/{nb}.ipynb`" for nb in spec.notebooks) or NO_NOTEBOOK
        lines += [
            f"## {spec.title}",
            "",
            f"![{spec.title}]({spec.file})",
            "",
            spec.shows,
            "",
            f"- files: `{spec.file}`, `{spec.name}.csv`",
            f"- drawn by: `sim.figures.{spec.draw.__name__}`",
            f"- data: `sim.figures.{spec.data.__name__}()`",
            f"- used in: {notebooks}",
            "",
        ]
    return "\n".join(lines)
