from typing import Any

from django.http import HttpRequest


def municipality(request: HttpRequest) -> dict[str, Any]:
    """The municipality serving this request (None on the control plane), for branding."""
    return {"municipality": getattr(request, "tenant", None)}
