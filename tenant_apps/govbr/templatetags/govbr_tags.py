from django import template

from ..selectors import govbr_client_config

register = template.Library()


@register.simple_tag(takes_context=True)
def govbr_available(context: template.Context) -> bool:
    """Whether this city offers "Entrar com gov.br" (only on a city's host)."""
    request = context.get("request")
    if request is None or getattr(request, "tenant", None) is None or request.tenant.schema_name == "public":
        return False
    return govbr_client_config() is not None
