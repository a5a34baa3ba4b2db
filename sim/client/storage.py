"""Where a tab keeps its tokens: the article's ``localStorage``."""

from __future__ import annotations


class TokenStore:
    """An access and a refresh token, or none (logged out).

    The article's code reads and writes ``localStorage`` directly::

        localStorage.setItem('accessToken', accessToken);
        localStorage.getItem('refreshToken');
    """

    __slots__ = ("access", "refresh")

    def __init__(self) -> None:
        self.access: str | None = None
        self.refresh: str | None = None
