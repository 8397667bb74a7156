"""What the city holds about one person (LGPD art. 18 II "acesso aos dados", art. 19 II "declaração
clara e completa"), who accessed it (art. 37 records of processing; art. 9 V shared use), and the
consents in force.

Secrets never leave their place (art. 46): no password hash, session, token, tracking token, TOTP
seed or ombudsman access-code hash is read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tenant_apps.documents.models import DocumentAccessLog
from tenant_apps.govbr.models import GovBrIdentity
from tenant_apps.notifications.models import Notification
from tenant_apps.ombudsman.models import IdentityAccess, Manifestation
from tenant_apps.scheduling.models import Appointment

from .enums import ConsentPurpose
from .models import Consent, DataExport, PrivacyNotice, SubjectRequest

# Messages a person asked for or the law requires: sent whatever the consents say.
CONSENT_EXEMPT_TEMPLATES = frozenset({"privacy_export_ready", "password_reset", "case_information_requested"})
REMINDER_TEMPLATES = frozenset({"appointment_reminder"})


def privacy_notice_get() -> PrivacyNotice | None:
    return PrivacyNotice.objects.select_related("dpo_unit").order_by("id").first()


def consents_current(user: User) -> dict[str, Consent | None]:
    """The choice in force per purpose (None: never asked, the service's default applies)."""
    current: dict[str, Consent | None] = dict.fromkeys(ConsentPurpose.values)
    for consent in Consent.objects.filter(user=user).order_by("created_at", "id"):
        current[consent.purpose] = consent
    return current


def consent_refusals(*, user_ids: list[int], template_key: str) -> set[tuple[int, str]]:
    """The notifications module's hook (settings NOTIFICATION_CONSENT_REFUSALS): the (user id,
    channel) pairs not to use for this message, from the newest choice per person and purpose, in
    one query. A withdrawn consent is respected at once (LGPD art. 8 § 5º); the inbox and the
    messages the person asked for (their data export) always go."""
    if template_key in CONSENT_EXEMPT_TEMPLATES:
        return set()
    latest: dict[tuple[int, str], bool] = {}
    rows = Consent.objects.filter(user_id__in=user_ids).order_by("user_id", "purpose", "-created_at", "-id")
    for user_id, purpose, granted in rows.values_list("user_id", "purpose", "granted"):
        latest.setdefault((user_id, purpose), granted)
    refused: set[tuple[int, str]] = set()
    for (user_id, purpose), granted in latest.items():
        if granted:
            continue
        if purpose == ConsentPurpose.EMAIL:
            refused.add((user_id, "email"))
        elif purpose == ConsentPurpose.SMS:
            refused.add((user_id, "sms"))
        elif purpose == ConsentPurpose.REMINDERS and template_key in REMINDER_TEMPLATES:
            refused.update({(user_id, "email"), (user_id, "sms")})
    return refused


def citizen_cases(user: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(citizen=user)
        .select_related("service", "current_unit")
        .order_by("-opened_at", "-id")
    )


def citizen_manifestations(user: User) -> QuerySet[Manifestation]:
    """Manifestations they filed identified, found by CPF or e-mail (protected ones too: they are
    the filer's own data); anonymous ones carry nothing that points at anyone."""
    filters = Manifestation.objects.none()
    if user.cpf:
        filters = Manifestation.objects.filter(filer_cpf=user.cpf)
    by_email = Manifestation.objects.filter(filer_email=user.email)
    return (filters | by_email).select_related("case").order_by("-created_at", "-id").distinct()


def citizen_appointments(user: User) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(citizen=user).select_related("agenda", "resource").order_by("-starts_at")
    )


def citizen_notifications(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


@dataclass(frozen=True)
class AccessEntry:
    at: dt.datetime
    who: str
    what: str
    why: str


def access_log_for(user: User) -> list[AccessEntry]:
    """Every recorded access to this person's data by the city's staff, in one list, newest first:
    reads of documents of their cases and views of their protected identity in the ombudsman."""
    entries = [
        AccessEntry(
            at=log.created_at,
            who=log.user.full_name if log.user else "",
            what=f"{log.document} ({log.get_action_display()})",
            why="",
        )
        for log in DocumentAccessLog.objects.filter(document__case_links__case__citizen=user)
        .select_related("user", "document")
        .distinct()
    ]
    manifestations = citizen_manifestations(user)
    entries += [
        AccessEntry(
            at=access.accessed_at,
            who=f"{access.user_name} ({access.unit_name})" if access.unit_name else access.user_name,
            what=f"identidade na manifestação {access.manifestation.case.nup}",
            why=access.reason,
        )
        for access in IdentityAccess.objects.filter(manifestation__in=manifestations).select_related(
            "manifestation__case"
        )
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


def personal_data_collect(user: User) -> dict[str, Any]:
    """Everything, as plain JSON-able data, for the export (and the page)."""
    identity = GovBrIdentity.objects.filter(user=user).first()
    notice = privacy_notice_get()
    return {
        "perfil": {
            "nome": user.full_name,
            "email": user.email,
            "cpf": user.cpf or "",
            "celular": user.phone,
            "tipo_de_conta": user.kind,
            "conta_criada_em": _iso(user.created_at),
            "ultimo_acesso": _iso(user.last_login),
            "gov_br": {
                "vinculado": identity is not None,
                "nivel": identity.reliability_level if identity else "",
                "nivel_lido_em": _iso(identity.reliability_read_at) if identity else None,
            },
        },
        "protocolos": [
            {
                "nup": case.nup,
                "servico": case.service.name,
                "assunto": case.subject,
                "descricao": case.description,
                "respostas_do_formulario": case.form_data,
                "situacao": case.get_status_display(),
                "aberto_em": _iso(case.opened_at),
                "prazo": _iso(case.deadline),
            }
            for case in citizen_cases(user)
        ],
        "manifestacoes": [
            {
                "protocolo": item.case.nup,
                "tipo": item.get_kind_display(),
                "identificacao": item.get_identity_mode_display(),
                "nome": item.filer_name,
                "cpf": item.filer_cpf,
                "email": item.filer_email,
                "celular": item.filer_phone,
                "assunto": item.case.subject,
                "texto": item.case.description,
                "registrada_em": _iso(item.created_at),
            }
            for item in citizen_manifestations(user)
        ],
        "agendamentos": [
            {
                "codigo": item.code,
                "agenda": item.agenda.name,
                "atendente": item.resource.name,
                "inicio": _iso(item.starts_at),
                "fim": _iso(item.ends_at),
                "situacao": item.get_status_display(),
                "observacoes": item.notes,
            }
            for item in citizen_appointments(user)
        ],
        "notificacoes": [
            {
                "canal": item.get_channel_display(),
                "destino": item.address,
                "assunto": item.subject,
                "texto": item.body,
                "situacao": item.get_status_display(),
                "criada_em": _iso(item.created_at),
                "enviada_em": _iso(item.sent_at),
                "entregue_em": _iso(item.delivered_at),
                "aberta_em": _iso(item.opened_at),
                "lida_em": _iso(item.read_at),
            }
            for item in citizen_notifications(user)
        ],
        "consentimentos": [
            {
                "finalidade": consent.get_purpose_display(),
                "consentiu": consent.granted,
                "texto_mostrado": consent.text_shown,
                "registrado_em": _iso(consent.created_at),
            }
            for consent in Consent.objects.filter(user=user).order_by("-created_at", "-id")
        ],
        "pedidos_lgpd": [
            {"pedido": item.get_kind_display(), "protocolo": item.case.nup, "feito_em": _iso(item.created_at)}
            for item in SubjectRequest.objects.filter(user=user).select_related("case")
        ],
        "acessos_aos_seus_dados": [
            {"quando": _iso(entry.at), "quem": entry.who, "o_que": entry.what, "motivo": entry.why}
            for entry in access_log_for(user)
        ],
        "controlador": {
            "encarregado": notice.dpo_name if notice else "",
            "contato": notice.dpo_email if notice else "",
        },
    }


def data_export_latest(user: User) -> DataExport | None:
    return DataExport.objects.filter(user=user).order_by("-created_at", "-id").first()


def subject_requests_of(user: User) -> QuerySet[SubjectRequest]:
    return SubjectRequest.objects.filter(user=user).select_related("case")
