from typing import Any

from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "shared_apps.support"
    label = "support"
    verbose_name = "Suporte"

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        got_request_exception.connect(_request_error_count, dispatch_uid="support_error_tally")


def _request_error_count(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """A request on a city's host raised: count it for the support console."""
    municipality = getattr(request, "tenant", None)
    if municipality is None:
        return
    from .services import error_tally_increment

    error_tally_increment(municipality_id=municipality.pk)
