"""The product's one form rendering layer: Django's form renderer with gov.br Design System markup.

Every `{{ form }}` and `{{ field }}` in every app goes through `GovBrFormRenderer` (settings
`FORM_RENDERER`): each field sits in its gov.br component (br-input, br-select, br-textarea,
br-radio, br-checkbox, br-upload) with a visible label, required fields carry a mark, every
field's errors are shown at once (`br-message` on top, `feedback` under each field), a password
is kept between rounds unless the password itself was wrong, and a file input carries the
server's size limit so the browser refuses an oversized file before uploading it.
"""

from decimal import Decimal
from pathlib import Path
from typing import Any

import django
from django import forms
from django.conf import settings
from django.forms import BoundField, widgets
from django.forms.renderers import BaseRenderer
from django.template.backends.django import DjangoTemplates
from django.template.defaultfilters import filesizeformat
from django.utils.functional import cached_property
from django.utils.translation import gettext

PACO_TEMPLATES = Path(__file__).resolve().parent / "templates"
DJANGO_FORM_TEMPLATES = Path(django.__file__).resolve().parent / "forms" / "templates"

# widget_type (Django's class-name slug) -> the gov.br component that wraps it
COMPONENT_BY_WIDGET = {
    "textarea": "br-textarea",
    "select": "br-select",
    "selectmultiple": "br-select",
    "nullbooleanselect": "br-select",
    "file": "br-upload",
    "clearablefile": "br-upload",
    "radioselect": "br-radio",
    "checkboxselectmultiple": "br-checkbox",
    "checkbox": "br-checkbox",
}


def field_component(bound_field: BoundField) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, widgets.FileInput):
        return "br-upload"
    if isinstance(widget, widgets.RadioSelect):
        return "br-radio"
    if isinstance(widget, widgets.CheckboxSelectMultiple):
        return "br-checkbox"
    if isinstance(widget, widgets.CheckboxInput):
        return "br-checkbox"
    if isinstance(widget, widgets.Textarea):
        return "br-textarea"
    if isinstance(widget, widgets.Select):
        return "br-select"
    return COMPONENT_BY_WIDGET.get(bound_field.widget_type, "br-input")


class GovBrBoundField(BoundField):
    @property
    def component(self) -> str:
        return field_component(self)

    @property
    def is_honeypot(self) -> bool:
        """A spam trap people never see (kept off-screen, out of the tab order)."""
        return bool(self.field.widget.attrs.get("data-honeypot"))

    @property
    def is_required(self) -> bool:
        return bool(self.field.required)

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, widgets.FileInput) and "data-max-bytes" not in widget.attrs:
            limit = getattr(self.field, "max_bytes", None) or settings.ATTACHMENT_MAX_BYTES
            attrs["data-max-bytes"] = str(limit)
            attrs["data-max-message"] = gettext("O arquivo %(name)s passa do limite de %(limit)s.") % {
                "name": "%s",
                "limit": filesizeformat(limit),
            }
        return attrs

    def as_widget(self, widget: Any = None, attrs: Any = None, only_initial: bool = False) -> Any:
        widget = widget or self.field.widget
        if isinstance(widget, widgets.PasswordInput) and self.form.is_bound:
            # Kept when another field failed (no retyping for a CPF typo); wiped when it was itself wrong.
            widget = _password_widget(widget, keep=not self.errors and not self.form.non_field_errors())
        return super().as_widget(widget, attrs, only_initial)


def _password_widget(widget: widgets.PasswordInput, *, keep: bool) -> widgets.PasswordInput:
    copy = widget.__deepcopy__({})
    copy.render_value = keep
    return copy  # type: ignore[no-any-return]


class GovBrFormRenderer(BaseRenderer):
    form_template_name = "paco/forms/form.html"
    field_template_name = "paco/forms/field.html"
    bound_field_class = GovBrBoundField

    @cached_property
    def engine(self) -> Any:
        return DjangoTemplates(
            {
                "APP_DIRS": False,
                "DIRS": [PACO_TEMPLATES, DJANGO_FORM_TEMPLATES],
                "NAME": "paco-forms",
                "OPTIONS": {"builtins": ["paco.templatetags.paco_tags"]},
            }
        )

    def get_template(self, template_name: str) -> Any:
        return self.engine.get_template(template_name)


class MultipleFileInput(widgets.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def file_field_html(
    *, name: str, label: str, field_id: str = "", help_text: str = "", required: bool = False
) -> str:
    """One multiple-file input rendered by this layer, for a page whose view reads request.FILES itself."""
    form_class = type(
        "FilesForm",
        (forms.Form,),
        {name: MultipleFileField(label=label, required=required, help_text=help_text)},
    )
    form = form_class(auto_id=f"{field_id}%s" if field_id else "id_%s")
    return str(form[name].as_field_group())


def filter_field_html(
    *,
    name: str,
    label: str,
    value: Any = "",
    choices: list[tuple[str, str]] | None = None,
    input_type: str = "text",
    help_text: str = "",
    attrs: dict[str, str] | None = None,
    field_id: str = "",
) -> str:
    """One field of a GET filter (a unit picker, a search box) rendered by this layer."""
    widget_attrs = dict(attrs or {})
    field: forms.Field
    if choices is not None:
        field = forms.ChoiceField(
            label=label,
            choices=choices,
            required=False,
            help_text=help_text,
            widget=forms.Select(attrs=widget_attrs),
        )
    else:
        widget_attrs.setdefault("type", input_type)
        field = forms.CharField(
            label=label, required=False, help_text=help_text, widget=forms.TextInput(attrs=widget_attrs)
        )
    form_class = type("FilterForm", (forms.Form,), {name: field})
    form = form_class(initial={name: value}, auto_id=f"{field_id}%s" if field_id else "id_%s")
    return str(form[name].as_field_group())


def decimal_field(
    label: Any, *, required: bool = True, min_value: Decimal = Decimal("0"), max_digits: int = 12
) -> forms.DecimalField:
    """A number with two decimals typed the Brazilian way (1.234,56), with the phone's numeric
    keypad: amounts in reais (fees, guides, refunds) and areas in m²."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=min_value,
        max_digits=max_digits,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
