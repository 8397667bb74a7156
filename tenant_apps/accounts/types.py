"""Who a read is for and who acts.

Selectors take a `Viewer` (`paco.viewer`: an account or an anonymous visitor; they decide what an
anonymous visitor sees, usually nothing); services that act take the `User` who acts
(`actor: User`), which a view gets with `account(request.user)`.
"""

from __future__ import annotations

from paco.errors import AccessDenied
from paco.viewer import Viewer

from .models import User

__all__ = ["Viewer", "account"]


def account(user: Viewer) -> User:
    """The account a logged-in request acts as (`request.user` behind `login_required` or
    `staff_required`): typed as `User`, and a 403 should an anonymous visitor ever get here."""
    if isinstance(user, User):
        return user
    raise AccessDenied
