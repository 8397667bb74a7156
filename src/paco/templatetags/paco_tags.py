import re
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from paco.forms import file_field_html, filter_field_html

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


URL_PATTERN = re.compile(r"https?://\S+")


@register.filter
def without_urls(text: str) -> str:
    """A message written for e-mail, for a page: bare addresses (and "Acompanhe em:" lines left
    empty by them) removed, since the page shows the link as a button."""
    lines = []
    for line in str(text or "").splitlines():
        stripped = URL_PATTERN.sub("", line).rstrip()
        if line.strip() and (not stripped or stripped.endswith(":")) and URL_PATTERN.search(line):
            continue
        lines.append(stripped)
    return "\n".join(lines).strip()


@register.simple_tag
def unit_filter(units: Any, selected: Any, name: str = "unidade") -> str:
    """The unit picker of the staff lists (submits on change), in gov.br markup."""
    choices = [(unit.acronym, f"{unit.acronym} — {unit.name}") for unit in units]
    return filter_field_html(
        name=name,
        label=str(_("Unidade")),
        value=getattr(selected, "acronym", ""),
        choices=choices,
        attrs={"data-paco-autosubmit": ""},
    )


@register.simple_tag
def search_field(name: str, label: str, value: Any = "", help_text: str = "", **attrs: Any) -> str:
    """A search box of a GET form, in gov.br markup (`attrs` become the input's attributes)."""
    attrs = {key.replace("_", "-"): str(item) for key, item in attrs.items()}
    input_type = attrs.pop("type", "search")
    return filter_field_html(
        name=name, label=label, value=value, input_type=input_type, help_text=help_text, attrs=attrs
    )


@register.simple_tag
def choice_field(
    name: str, label: str, items: Any, value_attr: str = "pk", label_attr: str = "name", empty: str = ""
) -> str:
    """A select of a GET form built from objects (`{% choice_field "modelo" label templates ... %}`)."""
    choices = [("", empty)] if empty else []
    choices += [(str(getattr(item, value_attr)), str(getattr(item, label_attr))) for item in items]
    return filter_field_html(name=name, label=label, choices=choices)
