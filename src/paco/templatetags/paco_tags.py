from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ counts|get_item:"novo" }}`: a dict value by a key held in a variable."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
