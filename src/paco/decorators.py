"""Access decorators shared by the pages of several apps: who may open a page at all.

The account kinds are named here as strings (the kernel imports no app): they are the values of
`tenant_apps.accounts.enums.UserKind` (a test keeps them equal). Which staff member is a
municipal admin is decided by the function named in settings MUNICIPAL_ADMIN_CHECK (the org app's).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.module_loading import import_string

CITIZEN_KIND = "citizen"
STAFF_KIND = "staff"
SUPPORT_KIND = "support"

View = Callable[..., HttpResponse]


def verified_kind_required(kind: str, login_url_name: str) -> Callable[[View], View]:
    """Only logged-in accounts of `kind` that passed the second factor get through."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            is_verified = getattr(user, "is_verified", None)  # django-otp's, on a logged-in account
            passed = bool(is_verified and is_verified())
            if not user.is_authenticated or getattr(user, "kind", None) != kind or not passed:
                return redirect_to_login(request.get_full_path(), reverse(login_url_name))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = verified_kind_required(STAFF_KIND, "accounts:staff_login")
support_required = verified_kind_required(SUPPORT_KIND, "controlplane:support_login")


def citizen_required(view: View) -> View:
    """Citizens only: anyone else logged in gets a 404, visitors go to the login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
        if getattr(request.user, "kind", None) != CITIZEN_KIND:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def municipal_admin_required(view: View) -> View:
    """A city's verified staff member with a municipal-admin membership; anyone else who is staff
    gets a 404 (like `portal:municipal_admin`), anyone else is sent to the staff login."""

    @staff_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        is_admin = import_string(settings.MUNICIPAL_ADMIN_CHECK)
        if getattr(request, "tenant", None) is None or not is_admin(user_id=int(request.user.pk or 0)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
