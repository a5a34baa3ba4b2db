"""A preset's values, each with the line of source it comes from.

A library or server preset says "``margin_s = 300``", and whoever reads it
should be able to open the one line that makes it so: MSAL's
``DEFAULT_TOKEN_RENEWAL_OFFSET_SEC = 300``, at the commit that was read. A
``Source`` is that pointer: the field it sets (or ``""`` for a line that
shows a behaviour rather than a value), the value, where the line is
(``owner/repo@commit:path#Lstart-Lend``; "the article, ..." for the article;
an ``https://`` address for a closed-source server's documentation) and
what the line says, trimmed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """One cited line: the field it sets (or "" for behaviour), the value, where, and what it says."""

    field: str
    value: str
    where: str  # owner/repo@commit:path#Lstart-Lend, "the article, ...", or a documentation https:// address
    says: str  # the line(s), trimmed


def cited(at: str) -> Callable[[str, str, str, str], Source]:
    """``Source``s from one repository at one commit: ``AXIOS("field", "value", "path#L1-L2", "says")``."""

    def source(field: str, value: str, path: str, says: str) -> Source:
        return Source(field, value, f"{at}:{path}", says)

    return source
