from typing import Any

from django import template

from paco.forms import file_field_html

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ counts|get_item:"novo" }}`: a dict value by a key held in a variable."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def has_required_field(form: Any) -> bool:
    """Whether a form shows at least one required field (its "* obrigatório" note)."""
    return any(field.field.required and not field.is_hidden for field in form)


@register.simple_tag
def file_field(name: str, label: str, field_id: str = "", help_text: str = "", required: bool = False) -> str:
    """`{% file_field "anexos" _("Anexos") %}`: a multiple-file input in gov.br markup (paco.forms)."""
    return file_field_html(name=name, label=label, field_id=field_id, help_text=help_text, required=required)
