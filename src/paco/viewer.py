"""`Viewer`: whoever a read is for, as a request carries it (an account or an anonymous visitor).

In the kernel so that every app, org and accounts included, can type its selectors with it.
"""

from __future__ import annotations

from typing import Any, Protocol


class Viewer(Protocol):
    """`request.user`: an account, or Django's `AnonymousUser` (pk None, not authenticated)."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...
