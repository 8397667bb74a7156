"""Writes of the municipal admin's permit builders: a kind (its catalogue service's name, description
and required answers, its fee table, template, signature level, deadlines), the kind's checklist
(add, edit, reorder, remove), routing rules (a published rule is edited as a new version, a draft in
place) and the city's risk levels.

Every service is keyword-only and atomic, checks everything before writing (a refusal leaves
nothing changed) and records the change with who made it (`BuilderChange`: who, when, what, the
values before and after). Requests already routed keep their route: their opinions were written when
they were routed (`services._route`) and no rule edit touches them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.catalog.services import FieldSpec, service_update
from tenant_apps.doctemplates.models import DocumentTemplate
from tenant_apps.documents.enums import DocumentKind
from tenant_apps.org.models import OrgUnit
from tenant_apps.signatures.enums import SignatureLevel

from . import fees, routing, services
from .cnae import cnae_normalize
from .enums import BuilderTarget, FeeMode, KindType, RequestStatus, RiskLevel
from .models import BuilderChange, ChecklistItem, PermitKind, RequestFile, RiskOverride, RoutingRule

# the types the pre-analysis recognises by content (preanalysis.py)
ACCEPTED_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
# answers the permit flow reads (services.FORM_KEYS): the form must always ask them
ALWAYS_REQUIRED = ("cpf_cnpj", "nome_razao_social")
# the levels a permit can be signed at from its staff page (the authenticator code for advanced);
# a qualified (ICP-Brasil) signature is not offered on the permit's page
KIND_SIGNATURE_LEVELS = (SignatureLevel.SIMPLE, SignatureLevel.ADVANCED)
MAX_DECISION_DAYS = 365
MAX_VALIDITY_DAYS = 3650
MAX_DOCUMENT_AGE_DAYS = 3650
MAX_SIZE_MB = 50
MAX_KIND_TEXT = 4000  # the conditions and the termo de ciência, each


class BuilderError(ApplicationError):
    """The admin's change was refused; nothing was saved."""


def _record(
    *,
    actor: User,
    target: str,
    object_id: int,
    label: str,
    before: dict[str, Any],
    after: dict[str, Any],
    kind_id: int | None = None,
) -> None:
    changed = sorted(key for key in after if before.get(key) != after.get(key))
    if before and after and not changed:
        return
    if not before:
        summary = _("criado")
    elif not after:
        summary = _("removido")
    else:
        summary = _("alterado: %(fields)s") % {"fields": ", ".join(changed)}
    BuilderChange.objects.create(
        actor=actor,
        target=target,
        kind_id=kind_id,
        object_id=object_id,
        label=label[:200],
        summary=summary[:300],
        before={key: before.get(key) for key in changed} if before and after else before,
        after={key: after.get(key) for key in changed} if before and after else after,
    )


# --- kinds ------------------------------------------------------------------------------------------


def _kind_snapshot(kind: PermitKind) -> dict[str, Any]:
    service = kind.service
    return {
        "nome": service.name,
        "descricao": service.description,
        "campos_obrigatorios": sorted(field.key for field in service.fields.all() if field.is_required),
        "taxa": kind.fee_mode,
        "tabela_da_taxa": kind.fee_table,
        "modelo": kind.template_id,
        "assinatura": kind.signature_level,
        "prazo_decisao_dias_uteis": kind.decision_days,
        "validade_dias": kind.validity_days,
        "especie": kind.kind_type,
        "risco_pelas_atividades": kind.uses_activity_risk,
        "nivel_fixo": kind.fixed_level,
        "condicionantes": kind.conditions,
        "termo_de_ciencia": kind.terms_text,
    }


def _days(value: int, *, field: str, minimum: int, maximum: int, message: str) -> int:
    if not minimum <= value <= maximum:
        raise BuilderError(message % {"min": minimum, "max": maximum}, extra={"field": field})
    return value


@transaction.atomic
def permit_kind_update(
    *,
    kind: PermitKind,
    actor: User,
    name: str,
    description: str,
    required_keys: Sequence[str],
    fee_mode: str,
    fee_table: Any,
    template: DocumentTemplate | None,
    signature_level: str,
    decision_days: int,
    validity_days: int,
    kind_type: str,
    uses_activity_risk: bool,
    fixed_level: str,
    conditions: str,
    terms_text: str,
) -> PermitKind:
    """Change a kind and its catalogue service (name, description, which answers are required,
    through `catalog.services.service_update`). The tacit-approval deadline is in business days
    (Lei 13.874/2019, art. 3º, IX); the signature level is the kind's minimum (Lei 14.063/2020).
    The risk comes from the request's activities (CNAE, the form needs that question) or is the
    kind's fixed level (Decreto 10.178/2019, art. 3º); where level II can happen the termo de
    ciência e responsabilidade is required (art. 3º, II: issued with no human analysis once the
    requester accepts it). The conditions are printed on every permit of the kind."""
    kind = PermitKind.objects.select_for_update().select_related("service").get(pk=kind.pk)
    service = kind.service
    before = _kind_snapshot(kind)
    if fee_mode not in FeeMode.values:
        raise BuilderError(_("Escolha como a taxa é cobrada."), extra={"field": "fee_mode"})
    table = fees.fee_table_clean(mode=fee_mode, table=fee_table)
    if signature_level not in KIND_SIGNATURE_LEVELS:
        raise BuilderError(
            _("Escolha o nível de assinatura: simples ou avançada."), extra={"field": "signature_level"}
        )
    if template is not None and not (template.is_published and template.kind == DocumentKind.PERMIT):
        raise BuilderError(
            _("O modelo do alvará precisa ser um modelo publicado da espécie alvará."),
            extra={"field": "template"},
        )
    _days(
        decision_days,
        field="decision_days",
        minimum=1,
        maximum=MAX_DECISION_DAYS,
        message=_("O prazo de decisão deve ficar entre %(min)s e %(max)s dias úteis."),
    )
    _days(
        validity_days,
        field="validity_days",
        minimum=1,
        maximum=MAX_VALIDITY_DAYS,
        message=_("A validade deve ficar entre %(min)s e %(max)s dias."),
    )
    if kind_type not in KindType.values:
        raise BuilderError(_("Escolha a espécie do alvará."), extra={"field": "kind_type"})
    if fixed_level not in RiskLevel.values:
        raise BuilderError(_("Nível de risco deve ser I, II ou III."), extra={"field": "fixed_level"})
    fields = list(service.fields.all())
    if uses_activity_risk and "cnae" not in {field.key for field in fields}:
        raise BuilderError(
            _(
                "Para o risco vir das atividades, o formulário precisa da pergunta das atividades"
                " (código CNAE, chave “cnae”) na Carta de Serviços."
            ),
            extra={"field": "uses_activity_risk"},
        )
    conditions = conditions.strip()
    terms_text = terms_text.strip()
    if len(conditions) > MAX_KIND_TEXT or len(terms_text) > MAX_KIND_TEXT:
        raise BuilderError(
            _("Condicionantes e termo: até %(max)s caracteres cada.") % {"max": MAX_KIND_TEXT},
            extra={"field": "terms_text" if len(terms_text) > MAX_KIND_TEXT else "conditions"},
        )
    if (uses_activity_risk or fixed_level == RiskLevel.MEDIUM) and not terms_text:
        raise BuilderError(
            _(
                "Escreva o termo de ciência e responsabilidade: os pedidos de médio risco (nível II)"
                " são emitidos sem análise depois que o requerente o aceita."
            ),
            extra={"field": "terms_text"},
        )
    required = set(required_keys)
    unknown = required - {field.key for field in fields}
    if unknown:
        raise BuilderError(_("Campo inexistente no formulário."), extra={"field": "required_keys"})
    must = set(ALWAYS_REQUIRED) | ({"cnae"} if uses_activity_risk else set())
    missing = [field.label for field in fields if field.key in must and field.key not in required]
    if missing:
        raise BuilderError(
            _("Estes campos são sempre obrigatórios neste tipo: %(fields)s.")
            % {"fields": ", ".join(missing)},
            extra={"field": "required_keys"},
        )
    service_update(
        service=service,
        code=service.code,
        name=name,
        unit_id=service.unit_id,
        description=description,
        group=service.group,
        deadline_days=service.deadline_days,
        deadline_kind=service.deadline_kind,
        is_public=service.is_public,
        is_active=service.is_active,
        fields=[
            FieldSpec(
                id=field.pk,
                key=field.key,
                label=field.label,
                kind=field.kind,
                is_required=field.key in required,
                choices=list(field.choices or []),
                help_text=field.help_text,
                position=field.position,
            )
            for field in fields
        ],
    )
    kind.fee_mode = fee_mode
    kind.fee_table = table
    kind.template = template
    kind.signature_level = signature_level
    kind.decision_days = decision_days
    kind.validity_days = validity_days
    kind.kind_type = kind_type
    kind.uses_activity_risk = uses_activity_risk
    kind.fixed_level = fixed_level
    kind.conditions = conditions
    kind.terms_text = terms_text
    kind.save(
        update_fields=[
            "kind_type",
            "uses_activity_risk",
            "fixed_level",
            "conditions",
            "terms_text",
            "fee_mode",
            "fee_table",
            "template",
            "signature_level",
            "decision_days",
            "validity_days",
            "updated_at",
        ]
    )
    kind = PermitKind.objects.select_related("service", "template").get(pk=kind.pk)
    _record(
        actor=actor,
        target=BuilderTarget.KIND,
        kind_id=kind.pk,
        object_id=kind.pk,
        label=kind.service.name,
        before=before,
        after=_kind_snapshot(kind),
    )
    return kind


# --- checklist items ------------------------------------------------------------------------------


def _item_snapshot(item: ChecklistItem) -> dict[str, Any]:
    return {
        "nome": item.name,
        "tipos_aceitos": list(item.accepted_types),
        "tamanho_maximo_mb": item.max_size_mb,
        "assinado": item.must_be_signed,
        "emitido_ha_no_maximo_dias": item.validity_days,
        "obrigatorio": item.is_required,
        "palavras": list(item.match_words),
        "ordem": item.position,
    }


def _item_check(
    *,
    kind: PermitKind,
    item: ChecklistItem | None,
    name: str,
    accepted_types: Sequence[str],
    max_size_mb: int,
    validity_days: int | None,
) -> str:
    name = name.strip()
    if not name:
        raise BuilderError(_("Dê um nome ao documento."), extra={"field": "name"})
    others = kind.checklist.exclude(pk=item.pk) if item is not None else kind.checklist.all()
    if others.filter(name__iexact=name).exists():
        raise BuilderError(_("Este tipo já tem um documento com esse nome."), extra={"field": "name"})
    if not accepted_types:
        raise BuilderError(
            _("Escolha ao menos um tipo de arquivo aceito."), extra={"field": "accepted_types"}
        )
    if any(value not in ACCEPTED_TYPES for value in accepted_types):
        raise BuilderError(_("Tipo de arquivo não reconhecido."), extra={"field": "accepted_types"})
    if not 1 <= max_size_mb <= MAX_SIZE_MB:
        raise BuilderError(
            _("O tamanho máximo deve ficar entre 1 e %(max)s MB.") % {"max": MAX_SIZE_MB},
            extra={"field": "max_size_mb"},
        )
    if validity_days is not None and not 1 <= validity_days <= MAX_DOCUMENT_AGE_DAYS:
        raise BuilderError(
            _("A validade do documento deve ficar entre 1 e %(max)s dias (ou em branco, sem validade).")
            % {"max": MAX_DOCUMENT_AGE_DAYS},
            extra={"field": "validity_days"},
        )
    return name[:200]


@transaction.atomic
def checklist_item_write(
    *,
    kind: PermitKind,
    actor: User,
    name: str,
    accepted_types: Sequence[str],
    max_size_mb: int,
    must_be_signed: bool,
    validity_days: int | None,
    is_required: bool,
    match_words: Sequence[str],
    item: ChecklistItem | None = None,
) -> ChecklistItem:
    """Add a document to the kind's checklist (at the end) or change one. The pre-analysis of
    requests still in pre-analysis uses the new rule the next time it runs."""
    kind = PermitKind.objects.select_for_update().get(pk=kind.pk)
    if item is not None:
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk, kind=kind)
    clean_name = _item_check(
        kind=kind,
        item=item,
        name=name,
        accepted_types=accepted_types,
        max_size_mb=max_size_mb,
        validity_days=validity_days,
    )
    before = _item_snapshot(item) if item is not None else {}
    if item is None:
        last = kind.checklist.aggregate(last=Max("position"))["last"]
        item = ChecklistItem(kind=kind, position=0 if last is None else last + 1)
    item.name = clean_name
    item.accepted_types = [value for value in ACCEPTED_TYPES if value in set(accepted_types)]
    item.max_size_mb = max_size_mb
    item.must_be_signed = must_be_signed
    item.validity_days = validity_days
    item.is_required = is_required
    item.match_words = list(dict.fromkeys(word.strip()[:60] for word in match_words if word.strip()))[:30]
    item.save()
    _record(
        actor=actor,
        target=BuilderTarget.ITEM,
        kind_id=kind.pk,
        object_id=item.pk,
        label=f"{kind.service.name}: {item.name}",
        before=before,
        after=_item_snapshot(item),
    )
    return item


@transaction.atomic
def checklist_item_move(*, item: ChecklistItem, actor: User, up: bool) -> ChecklistItem:
    """One place up or down in the kind's checklist (the positions are renumbered 0..n)."""
    kind = PermitKind.objects.select_for_update().get(pk=item.kind_id)
    items = list(kind.checklist.order_by("position", "id"))
    index = next(position for position, entry in enumerate(items) if entry.pk == item.pk)
    target = index - 1 if up else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
    for position, entry in enumerate(items):
        if entry.position != position:
            before = entry.position
            entry.position = position
            entry.save(update_fields=["position", "updated_at"])
            if entry.pk == item.pk:
                _record(
                    actor=actor,
                    target=BuilderTarget.ITEM,
                    kind_id=kind.pk,
                    object_id=entry.pk,
                    label=f"{kind.service.name}: {entry.name}",
                    before={"ordem": before},
                    after={"ordem": position},
                )
    return next(entry for entry in items if entry.pk == item.pk)


@transaction.atomic
def checklist_item_remove(*, item: ChecklistItem, actor: User) -> None:
    """Remove a document from the checklist. A document already received in some request is kept
    (those requests and their classification point at it): the admin makes it optional instead."""
    item = ChecklistItem.objects.select_for_update().select_related("kind__service").get(pk=item.pk)
    received = RequestFile.objects.filter(item=item).values("request").distinct().count()
    if received:
        raise BuilderError(
            _(
                "Este documento já foi recebido em %(n)s pedido(s) e não pode ser removido; "
                "desmarque \u201cobrigatório\u201d para deixar de exigi-lo."
            )
            % {"n": received}
        )
    before = _item_snapshot(item)
    label = f"{item.kind.service.name}: {item.name}"
    pk = item.pk
    item.delete()
    _record(
        actor=actor,
        target=BuilderTarget.ITEM,
        kind_id=item.kind_id,
        object_id=pk,
        label=label,
        before=before,
        after={},
    )
    for position, entry in enumerate(
        ChecklistItem.objects.filter(kind_id=item.kind_id).order_by("position", "id")
    ):
        if entry.position != position:
            entry.position = position
            entry.save(update_fields=["position", "updated_at"])


# --- routing rules --------------------------------------------------------------------------------


def _rule_snapshot(rule: RoutingRule) -> dict[str, Any]:
    return {
        "nome": rule.name,
        "ordem": rule.position,
        "condicoes": rule.conditions,
        "etapas": rule.stages,
        "publicada": rule.is_published,
        "versao": rule.version,
    }


def routing_rule_draft_of(rule: RoutingRule) -> RoutingRule | None:
    """The draft that will replace a published rule when published, if the admin started one."""
    return rule.next_versions.filter(retired_at__isnull=True, is_published=False).order_by("-pk").first()


@transaction.atomic
def routing_rule_create(
    *, actor: User, name: str, position: int, conditions: Any, stages: Any, is_published: bool
) -> RoutingRule:
    """A new rule (the checks of `services.routing_rule_save`: a rule that sends nowhere, an empty
    stage, a unit met twice — a loop — or an unknown unit are refused)."""
    rule = services.routing_rule_save(
        name=name, position=position, conditions=conditions, stages=stages, is_published=is_published
    )
    _record(
        actor=actor,
        target=BuilderTarget.RULE,
        object_id=rule.pk,
        label=rule.name,
        before={},
        after=_rule_snapshot(rule),
    )
    return rule


@transaction.atomic
def routing_rule_update(
    *, rule: RoutingRule, actor: User, name: str, position: int, conditions: Any, stages: Any
) -> RoutingRule:
    """Edit a rule. A draft is changed in place; a published rule is not: the edit becomes its next
    version, a draft (or the draft already started is changed), and the published version keeps
    routing until the admin publishes the new one (test mode shows the draft in its place). Requests
    already routed keep their route. A replaced (old) version cannot be edited."""
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    if rule.retired_at is not None:
        raise BuilderError(
            _("Esta é uma versão antiga da regra, substituída por outra; edite a versão atual.")
        )
    clean_conditions = routing.conditions_clean(conditions)
    clean_stages = routing.stages_clean(stages, unit_ids=OrgUnit.objects.values_list("pk", flat=True))
    if not name.strip():
        raise BuilderError(_("Dê um nome à regra."), extra={"field": "name"})
    target = rule
    if rule.is_published:
        target = routing_rule_draft_of(rule) or RoutingRule(
            replaces=rule, version=rule.version + 1, is_published=False
        )
    before = _rule_snapshot(target) if target.pk else {}
    target.name = name.strip()[:200]
    target.position = position
    target.conditions = clean_conditions
    target.stages = clean_stages
    target.save()
    _record(
        actor=actor,
        target=BuilderTarget.RULE,
        object_id=target.pk,
        label=target.name,
        before=before,
        after=_rule_snapshot(target),
    )
    return target


@transaction.atomic
def routing_rule_publish(*, rule: RoutingRule, actor: User, is_published: bool) -> RoutingRule:
    """Publish or unpublish a rule. Publishing a new version retires the version it replaces, in the
    same transaction (new requests are routed by one or the other, never both)."""
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    if rule.retired_at is not None:
        raise BuilderError(
            _("Esta é uma versão antiga da regra, substituída por outra; edite a versão atual.")
        )
    if rule.is_published == is_published:
        return rule
    before = _rule_snapshot(rule)
    rule.is_published = is_published
    rule.save(update_fields=["is_published", "updated_at"])
    if is_published and rule.replaces_id is not None:
        old = RoutingRule.objects.select_for_update().get(pk=rule.replaces_id)
        if old.retired_at is None:
            old_before = _rule_snapshot(old)
            old.is_published = False
            old.retired_at = timezone.now()
            old.save(update_fields=["is_published", "retired_at", "updated_at"])
            _record(
                actor=actor,
                target=BuilderTarget.RULE,
                object_id=old.pk,
                label=old.name,
                before=old_before,
                after={**_rule_snapshot(old), "substituida_pela_versao": rule.version},
            )
    _record(
        actor=actor,
        target=BuilderTarget.RULE,
        object_id=rule.pk,
        label=rule.name,
        before=before,
        after=_rule_snapshot(rule),
    )
    return rule


def routing_rules_for_test() -> list[RoutingRule]:
    """The rules of the test mode: published and drafts, a draft version standing in for the
    published rule it replaces; old versions left out."""
    rules = list(RoutingRule.objects.filter(retired_at__isnull=True).order_by("position", "id"))
    replaced = {rule.replaces_id for rule in rules if not rule.is_published and rule.replaces_id}
    return [rule for rule in rules if rule.pk not in replaced]


# --- risk levels -------------------------------------------------------------------------------------


@transaction.atomic
def risk_override_record(*, actor: User, cnae: str, level: str, note: str = "") -> RiskOverride:
    """The city's own level for an activity (`services.risk_override_set`), recorded."""
    existing = RiskOverride.objects.filter(cnae_code=cnae_normalize(cnae)).first()
    before = {"nivel": existing.level, "fundamento": existing.note} if existing else {}
    override = services.risk_override_set(cnae=cnae, level=level, note=note)
    _record(
        actor=actor,
        target=BuilderTarget.RISK,
        object_id=override.pk,
        label=override.cnae_code,
        before=before,
        after={"nivel": override.level, "fundamento": override.note},
    )
    return override


def open_requests_of_kind(kind: PermitKind) -> int:
    """How many requests of the kind are still open (shown beside the edit form)."""
    return kind.requests.exclude(
        status__in=[RequestStatus.ISSUED, RequestStatus.EXEMPT, RequestStatus.REFUSED]
    ).count()
