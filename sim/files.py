"""Files a user names: read with limits, written with clear errors.

Whatever goes wrong with a file (it is missing, a folder, a device such as
``/dev/zero`` that never ends, too large, unreadable, not text, or an output
folder that is really a file) becomes one ``ConfigError`` naming the flag's
field and the path, never a traceback.
"""

from __future__ import annotations

import stat
from pathlib import Path

from .fields import ConfigError

SCENARIO_MAX_BYTES = 1_000_000  # a scenario file is a page of TOML
TRACE_MAX_BYTES = 100_000_000  # about four million rows of time_s,user


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
    """The folder ``path``, made if it is not there; refused if it cannot be one."""
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
