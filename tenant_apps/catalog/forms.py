"""The municipal admin's forms for the Carta de Serviços: the service, its form fields, its documents.

The formsets only read and check what the browser sent; every write goes through
`tenant_apps.catalog.services` (the formsets' own `save()` is never called).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from tenant_apps.org.models import OrgUnit
from tenant_apps.org.selectors import org_unit_tree

from .enums import DeadlineKind
from .models import RequiredAttachment, Service, ServiceField
from .services import DEADLINE_MAX_DAYS, DEADLINE_MIN_DAYS, AttachmentSpec, FieldSpec

VISIBILITY_CHOICES = [
    ("public", _("Público: aparece na Carta de Serviços e o cidadão pode pedir")),
    ("internal", _("Interno: só servidores abrem pedidos")),
]


def unit_choices(*, current: OrgUnit | None = None) -> list[tuple[int, str]]:
    """The org chart as indented choices; a now inactive current unit stays selectable."""
    choices = [(unit.pk, f"{'— ' * depth}{unit.acronym} · {unit.name}") for unit, depth in org_unit_tree()]
    if current is not None and all(pk != current.pk for pk, _label in choices):
        choices.append((current.pk, f"{current.acronym} · {current.name} ({_('inativa')})"))
    return choices


class ServiceForm(forms.Form):
    code = forms.CharField(
        label=_("Código"),
        max_length=60,
        help_text=_("Letras minúsculas sem acento, números e hífens; aparece no endereço do serviço."),
        widget=forms.TextInput(attrs={"placeholder": "poda-de-arvore", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Nome"), max_length=200)
    description = forms.CharField(
        label=_("Descrição"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    group = forms.CharField(
        label=_("Categoria"),
        max_length=100,
        required=False,
        help_text=_("Agrupa os serviços na Carta de Serviços (ex.: Tributos, Meio urbano)."),
    )
    unit = forms.TypedChoiceField(label=_("Unidade responsável"), coerce=int, choices=())
    deadline_days = forms.IntegerField(
        label=_("Prazo de atendimento (dias)"), min_value=DEADLINE_MIN_DAYS, max_value=DEADLINE_MAX_DAYS
    )
    deadline_kind = forms.ChoiceField(label=_("Contagem do prazo"), choices=DeadlineKind.choices)
    visibility = forms.ChoiceField(
        label=_("Visibilidade"), choices=VISIBILITY_CHOICES, initial="public", widget=forms.RadioSelect
    )
    is_active = forms.BooleanField(
        label=_("Ativo (desmarque para tirar o serviço do ar sem apagá-lo)"), required=False, initial=True
    )

    def __init__(self, *args: Any, service: Service | None = None, **kwargs: Any) -> None:
        if service is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": service.code,
                "name": service.name,
                "description": service.description,
                "group": service.group,
                "unit": service.unit_id,
                "deadline_days": service.deadline_days,
                "deadline_kind": service.deadline_kind,
                "visibility": "public" if service.is_public else "internal",
                "is_active": service.is_active,
            }
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.TypedChoiceField)  # noqa: S101 - narrows the type
        choices: list[tuple[Any, Any]] = [("", _("Escolha a unidade"))]
        choices += unit_choices(current=service.unit if service is not None else None)
        unit_field.choices = choices


class ServiceFieldForm(forms.ModelForm):
    choices = forms.CharField(
        label=_("Opções (uma por linha)"),
        required=False,
        help_text=_("Só para campos do tipo “Escolha”."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = ServiceField
        fields = ["position", "key", "label", "kind", "is_required", "help_text"]
        help_texts = {"key": _("Sem espaços nem acentos (ex.: endereco_obra).")}
        widgets = {"position": forms.NumberInput(attrs={"min": 0, "class": "paco-position"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices"] = "\n".join(self.instance.choices)

    def has_changed(self) -> bool:
        # A row added with "Adicionar campo" carries its position; left blank, it is still empty.
        return any(name != "position" for name in self.changed_data)

    def spec(self) -> FieldSpec:
        data = self.cleaned_data
        return FieldSpec(
            id=self.instance.pk,
            key=data["key"],
            label=data["label"],
            kind=data["kind"],
            is_required=data["is_required"],
            choices=tuple(data["choices"].splitlines()),
            help_text=data["help_text"],
            position=data["position"] if data.get("position") is not None else 0,
        )


class RequiredAttachmentForm(forms.ModelForm):
    class Meta:
        model = RequiredAttachment
        fields = ["position", "name", "description", "is_required"]
        widgets = {"position": forms.NumberInput(attrs={"min": 0, "class": "paco-position"})}

    def has_changed(self) -> bool:
        return any(name != "position" for name in self.changed_data)

    def spec(self) -> AttachmentSpec:
        data = self.cleaned_data
        return AttachmentSpec(
            id=self.instance.pk,
            name=data["name"],
            description=data["description"],
            is_required=data["is_required"],
            position=data["position"] if data.get("position") is not None else 0,
        )


class RowFormSet(BaseInlineFormSet):
    """An inline formset whose rows carry a "Excluir" checkbox and can be built one at a time (htmx)."""

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Excluir")

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # Rows show the order numbers 1..n whatever is stored (the service renumbers on save).
        kwargs = super().get_form_kwargs(index)
        if index is not None:
            kwargs["initial"] = {"position": index + 1}
        return kwargs

    def row_form(self, index: int) -> forms.BaseForm:
        """An empty row numbered `index`, as `empty_form` builds it but with a real prefix."""
        form = self.form(
            **self.get_form_kwargs(index),
            auto_id=self.auto_id,
            prefix=self.add_prefix(index),
            empty_permitted=True,
            use_required_attribute=False,
        )
        self.add_fields(form, None)
        return form

    def kept_forms(self) -> list[Any]:
        """After `is_valid()`: the rows to keep, in page order (not deleted, not left blank)."""
        deleted = {id(form) for form in self.deleted_forms}
        return [
            form
            for form in self.forms
            if id(form) not in deleted and (form.instance.pk is not None or form.has_changed())
        ]


ServiceFieldFormSet = cast(
    "type[RowFormSet]",
    inlineformset_factory(
        Service, ServiceField, form=ServiceFieldForm, formset=RowFormSet, extra=0, can_delete=True
    ),
)
RequiredAttachmentFormSet = cast(
    "type[RowFormSet]",
    inlineformset_factory(
        Service, RequiredAttachment, form=RequiredAttachmentForm, formset=RowFormSet, extra=0, can_delete=True
    ),
)
