"""Files a user names: read with limits, written with clear errors.

Whatever goes wrong with a file (it is missing, a folder, a device such as
``/dev/zero`` that never ends, too large, unreadable, not text, or an output
folder that is really a file) becomes one ``ConfigError`` naming the flag's
field and the path, never a traceback.
"""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from .fields import ConfigError

SCENARIO_MAX_BYTES = 1_000_000  # a scenario file is a page of TOML
TRACE_MAX_BYTES = 100_000_000  # about four million rows of time_s,user
MAX_NESTING = 16  # arrays and tables inside each other; a scenario file needs three


def read_text(path: str | Path, field: str, max_bytes: int) -> str:
    """The text of a regular file of at most ``max_bytes`` bytes (a leading BOM dropped)."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ConfigError(field, str(path), "no such file") from None
    except OSError as error:
        raise ConfigError(field, str(path), f"cannot be read ({error.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(field, str(path), "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(field, str(path), "is not a regular file (a device or a pipe cannot be read to its end)")
    if info.st_size > max_bytes:
        raise ConfigError(field, str(path), f"is {info.st_size:,} bytes; files over {max_bytes:,} bytes are refused")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(field, str(path), "is not UTF-8 text") from None
    except OSError as error:
        raise ConfigError(field, str(path), f"cannot be read ({error.strerror})") from None


def output_folder(path: str | Path, field: str) -> Path:
    """The folder ``path``, made if it is not there; refused if it cannot be one (or is no name at all)."""
    if not str(path).strip():
        raise ConfigError(field, str(path), "must name a folder")
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ConfigError(field, str(path), "is a file, not a folder") from None
    except NotADirectoryError:
        raise ConfigError(field, str(path), "lies below a file, so it cannot be a folder") from None
    except OSError as error:
        raise ConfigError(field, str(path), f"cannot be made ({error.strerror})") from None
    return path


def write_text(path: Path, text: str, field: str) -> None:
    """Write ``text`` to ``path``, or say in one line why not."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigError(field, str(path), f"cannot be written ({error.strerror})") from None


def read_toml(path: str | Path, field: str, max_bytes: int = SCENARIO_MAX_BYTES) -> dict[str, Any]:
    """A TOML file's tables, read with ``read_text``'s limits, nested at most ``MAX_NESTING`` deep.

    The depth is checked before the parser sees the text (a parser that recurses would overflow Python's
    stack on ``[[[[...]]]]``) and again on what it gave (dotted keys nest tables without brackets), so no
    reader of the values ever meets a structure deeper than that.
    """
    text = read_text(path, field, max_bytes)
    too_deep = ConfigError(field, str(path), f"nests arrays or tables over {MAX_NESTING} deep")
    if _bracket_depth(text) > MAX_NESTING:
        raise too_deep
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(field, str(path), f"is not valid TOML ({error})") from None
    except RecursionError:  # brackets the scan above miscounted: refused all the same
        raise too_deep from None
    if _data_depth(data) > MAX_NESTING:
        raise too_deep
    return data


def _bracket_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings and comments (a scan, not a parse)."""
    depth = deepest = 0
    found = _TOML_SPECIAL.search(text)
    while found:
        char, at = found.group(), found.end()
        if char == "#":
            at = text.find("\n", at) % (len(text) + 1)  # the comment's end (the text's, if no newline)
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, found.start()) else char
            at = found.start() + len(quote)
            while at < len(text) and not text.startswith(quote, at):
                at += 2 if char == '"' and text[at] == "\\" else 1
            at += len(quote)
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_NESTING:  # deep enough to refuse: no need to read on
                break
        else:
            depth = max(0, depth - 1)
        found = _TOML_SPECIAL.search(text, at)
    return deepest


_TOML_SPECIAL = re.compile(r"[#\"'\[\]{}]")


def _data_depth(data: Any) -> int:
    """How deep tables and arrays are nested in parsed data (without recursion)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_NESTING:
                todo.extend((inner, depth + 1) for inner in (value.values() if isinstance(value, dict) else value))
    return deepest
