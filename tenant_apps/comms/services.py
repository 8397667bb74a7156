"""Writes on memos and circulars. Each service does the whole unit of work (document, signature,
addressees, notifications, job) in one transaction; bad input raises ApplicationError and leaves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import AccessDenied, ApplicationError
from paco.jobs import enqueue_on_commit
from paco.schemas import current_tenant
from paco.viewer import Viewer
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.cases.enums import CaseChannel
from tenant_apps.cases.services import case_document_link, case_open
from tenant_apps.documents.enums import AccessLevel, DocumentKind
from tenant_apps.documents.services import attachment_store, document_create
from tenant_apps.documents.uploads import Upload
from tenant_apps.notifications.enums import Channel, SubjectKind
from tenant_apps.notifications.services import notification_queue_bulk
from tenant_apps.org.enums import Role
from tenant_apps.org.models import Membership, OrgUnit
from tenant_apps.org.selectors import unit_member_user_ids, user_managed_unit_ids, user_unit_ids
from tenant_apps.signatures.enums import SignatureLevel
from tenant_apps.signatures.models import SignatureRequest
from tenant_apps.signatures.services import signature_request_queue
from tenants.selectors import municipality_base_url

from .enums import MemoKind
from .models import (
    Circular,
    CircularReceipt,
    CircularReminder,
    Memo,
    MemoRecipient,
    MemoTemplate,
)
from .selectors import memo_user_can_read, memo_user_is_recipient

PREPARATORY_BASIS = "Documento preparatório (Lei 12.527/2011, art. 7º, § 3º)"
MAX_SUBJECT = 300
MAX_BODY = 50_000
ROLE_VALUES = {Role.STAFF, Role.MANAGER, Role.ADMIN}


def _base_url() -> str:
    return municipality_base_url(current_tenant())


def memo_url(*, memo: Memo) -> str:
    return _base_url() + reverse("comms:memo_detail", kwargs={"memo_id": memo.pk})


def circular_url(*, circular: Circular) -> str:
    return _base_url() + reverse("comms:circular_detail", kwargs={"circular_id": circular.pk})


def _require_staff(user: Viewer) -> None:
    if getattr(user, "kind", None) != UserKind.STAFF or not getattr(user, "is_active", False):
        raise AccessDenied(_("Só servidores podem enviar memorandos e circulares."))


def _clean_text(subject: str, body: str) -> tuple[str, str]:
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise ApplicationError(_("Informe o assunto."), extra={"field": "subject"})
    if len(subject) > MAX_SUBJECT:
        raise ApplicationError(_("O assunto passa de 300 caracteres."), extra={"field": "subject"})
    if not body:
        raise ApplicationError(_("Escreva o texto."), extra={"field": "body"})
    if len(body) > MAX_BODY:
        raise ApplicationError(_("O texto é longo demais."), extra={"field": "body"})
    return subject, body


def _addressees(to_units: Iterable[Any], to_users: Iterable[Any]) -> tuple[list[OrgUnit], list[User]]:
    unit_ids = list(dict.fromkeys(int(getattr(unit, "pk", unit)) for unit in to_units))
    user_ids = list(dict.fromkeys(int(getattr(user, "pk", user)) for user in to_users))
    if not unit_ids and not user_ids:
        raise ApplicationError(
            _("Escolha ao menos um destinatário (unidade ou pessoa)."), extra={"field": "to_units"}
        )
    units = list(OrgUnit.objects.filter(pk__in=unit_ids, is_active=True))
    if len(units) != len(unit_ids):
        raise ApplicationError(_("Unidade de destino inexistente ou inativa."), extra={"field": "to_units"})
    users = list(User.objects.filter(pk__in=user_ids, is_active=True, kind=UserKind.STAFF))
    if len(users) != len(user_ids):
        raise ApplicationError(_("Só é possível enviar a servidores ativos."), extra={"field": "to_users"})
    return units, users


def _notify_memo(
    memo: Memo, units: Sequence[OrgUnit], users: Sequence[User], *, exclude_user_id: int
) -> None:
    """Inbox + e-mail to each addressed person and to everyone working in each addressed unit."""
    member_ids = unit_member_user_ids(unit_ids=[unit.pk for unit in units]) | {user.pk for user in users}
    member_ids.discard(exclude_user_id)
    notification_queue_bulk(
        template_key="memo_received",
        context={
            "memo_number": memo.document.number,
            "memo_subject": memo.subject,
            "sender_unit": memo.sender_unit.acronym,
            "author_name": memo.author.full_name,
            "municipality_name": current_tenant().name,
        },
        recipients=list(User.objects.filter(pk__in=member_ids, is_active=True).order_by("pk")),
        channels=(Channel.INBOX, Channel.EMAIL),
        link_url=memo_url(memo=memo),
        subject_kind=SubjectKind.MEMO,
        subject_id=memo.pk,
    )


def _recipients_line(units: Sequence[OrgUnit], users: Sequence[User]) -> str:
    names = [unit.acronym for unit in units] + [user.full_name or user.email for user in users]
    return ", ".join(names)


@transaction.atomic
def _memo_create(
    *,
    author: User,
    sender_unit: OrgUnit,
    subject: str,
    body: str,
    units: Sequence[OrgUnit],
    users: Sequence[User],
    kind: str = MemoKind.ORIGINAL,
    parent: Memo | None = None,
    note: str = "",
    document_body: str = "",
    uploads: Sequence[Upload] = (),
    access_level: str = AccessLevel.PUBLIC,
    legal_basis: str = "",
    otp_token: str = "",
) -> Memo:
    if sender_unit.pk not in user_unit_ids(author):
        raise AccessDenied(_("Você só pode enviar memorandos pelas unidades em que trabalha."))
    header = _("Para: %(to)s") % {"to": _recipients_line(units, users)}
    document = document_create(
        kind=DocumentKind.MEMO,
        unit=sender_unit,
        title=subject,
        body=f"{header}\n\n{document_body or body}",
        author=author,
        access_level=access_level,
        legal_basis=legal_basis,
    )
    memo = Memo.objects.create(
        document=document,
        kind=kind,
        sender_unit=sender_unit,
        author=author,
        subject=subject,
        body=body,
        thread_id=parent.thread_root_id if parent else None,
        parent=parent,
        note=note,
    )
    MemoRecipient.objects.bulk_create(
        [MemoRecipient(memo=memo, unit=unit) for unit in units]
        + [MemoRecipient(memo=memo, user=user) for user in users]
    )
    for upload in uploads:
        attachment_store(
            file=upload.file, name=upload.name, label=upload.label, uploaded_by=author, document=document
        )
    memo_sign(
        memo=memo,
        signer=author,
        level=SignatureLevel.ADVANCED if otp_token else SignatureLevel.SIMPLE,
        otp_token=otp_token,
    )
    _notify_memo(memo, units, users, exclude_user_id=author.pk)
    return memo


@transaction.atomic
def memo_sign(
    *, memo: Memo, signer: User, level: str = SignatureLevel.SIMPLE, otp_token: str = ""
) -> SignatureRequest:
    """The memo's signature is a signature of `tenant_apps.signatures` (one row, nothing copied): a
    PAdES signature on the memo's PDF with the city's document-signing certificate, at the simple
    level by default (Lei 14.063/2020, art. 4º, I: the authenticated author, the time, the SHA-256 of
    the text) or advanced with the second factor; the minimum level set for memos is enforced there.
    The checks (level, second factor) run now; the PDF is rendered and signed by a job after commit,
    so the memo is sent at once ("assinatura em processamento" until the job signs).
    Asking twice for the same version returns the same request."""
    return signature_request_queue(document=memo.document, signer=signer, level=level, otp_token=otp_token)


@transaction.atomic
def memo_send(
    *,
    author: User,
    sender_unit: OrgUnit,
    subject: str,
    body: str,
    to_units: Iterable[Any] = (),
    to_users: Iterable[Any] = (),
    uploads: Sequence[Upload] = (),
    is_restricted: bool = False,
    otp_token: str = "",
) -> Memo:
    """A new memo from `sender_unit` (one of the author's current units), numbered
    "MEMO n/aaaa - SIGLA" (gapless per unit and year), signed by its author, in the addressees' inboxes.

    `is_restricted` makes the document restrito as a preparatory document (Lei 12.527/2011, art. 7º, § 3º):
    only the sender unit and the addressees read it.
    """
    _require_staff(author)
    subject, body = _clean_text(subject, body)
    units, users = _addressees(to_units, to_users)
    return _memo_create(
        author=author,
        sender_unit=sender_unit,
        subject=subject,
        body=body,
        units=units,
        users=users,
        uploads=uploads,
        access_level=AccessLevel.RESTRICTED if is_restricted else AccessLevel.PUBLIC,
        legal_basis=PREPARATORY_BASIS if is_restricted else "",
        otp_token=otp_token,
    )


def _acting_unit(author: User, memo: Memo, sender_unit: OrgUnit | None) -> OrgUnit:
    own = user_unit_ids(author)
    if sender_unit is not None:
        if sender_unit.pk not in own:
            raise AccessDenied(_("Você só pode enviar memorandos pelas unidades em que trabalha."))
        return sender_unit
    addressed = [
        r.unit for r in memo.recipients.select_related("unit") if r.unit is not None and r.unit_id in own
    ]
    if addressed:
        return addressed[0]
    if not own:
        raise AccessDenied(_("Você não está lotado em nenhuma unidade."))
    return OrgUnit.objects.filter(pk__in=own).order_by("acronym").first() or memo.sender_unit


@transaction.atomic
def memo_reply(
    *,
    memo: Memo,
    author: User,
    body: str,
    uploads: Sequence[Upload] = (),
    sender_unit: OrgUnit | None = None,
    otp_token: str = "",
) -> Memo:
    """Answer a memo one received: a new memo to the sender unit, in the same thread, signed by its
    author (advanced when `otp_token`, their second factor's code, is given)."""
    _require_staff(author)
    if not memo_user_is_recipient(user=author, memo=memo):
        raise AccessDenied(_("Só quem recebeu o memorando pode respondê-lo."))
    subject = memo.subject if memo.subject.lower().startswith("re:") else f"Re: {memo.subject}"
    subject, body = _clean_text(subject[:MAX_SUBJECT], body)
    unit = _acting_unit(author, memo, sender_unit)
    return _memo_create(
        author=author,
        sender_unit=unit,
        subject=subject,
        body=body,
        units=[memo.sender_unit],
        users=[],
        kind=MemoKind.REPLY,
        parent=memo,
        uploads=uploads,
        access_level=memo.document.access_level,
        legal_basis=memo.document.legal_basis,
        otp_token=otp_token,
    )


@transaction.atomic
def memo_forward(
    *,
    memo: Memo,
    author: User,
    note: str,
    to_units: Iterable[Any] = (),
    to_users: Iterable[Any] = (),
    sender_unit: OrgUnit | None = None,
    otp_token: str = "",
) -> Memo:
    """Forward a memo one can read to other units or people, with a note, in the same thread, signed
    by its author (advanced when `otp_token` is given).

    The forward's document quotes the forwarded memo, and its addressees may read that memo too.
    """
    _require_staff(author)
    if not memo_user_can_read(user=author, memo=memo):
        raise AccessDenied(_("Você não tem acesso a este memorando."))
    units, users = _addressees(to_units, to_users)
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Escreva uma nota para o encaminhamento."), extra={"field": "note"})
    unit = _acting_unit(author, memo, sender_unit)
    subject = memo.subject if memo.subject.lower().startswith("enc:") else f"Enc: {memo.subject}"
    quoted = _("Memorando encaminhado: %(number)s, de %(author)s (%(unit)s), em %(date)s") % {
        "number": memo.document.number,
        "author": memo.author.full_name,
        "unit": memo.sender_unit.acronym,
        "date": timezone.localtime(memo.created_at).strftime("%d/%m/%Y %H:%M"),
    }
    return _memo_create(
        author=author,
        sender_unit=unit,
        subject=subject[:MAX_SUBJECT],
        body=note,
        units=units,
        users=users,
        kind=MemoKind.FORWARD,
        parent=memo,
        note=note,
        document_body=f"{note}\n\n--- {quoted} ---\n{memo.body}",
        access_level=memo.document.access_level,
        legal_basis=memo.document.legal_basis,
        otp_token=otp_token,
    )


@transaction.atomic
def memo_case_open(*, memo: Memo, actor: User, service: Any, form_data: dict[str, Any] | None = None) -> Any:
    """Turn a received memo into a case (protocolo) of `service`, once: the case is opened by the
    person who asked, the memo document joins the case file, and the case history records the memo
    and its thread (who asked what, when) so the informal request keeps its trail."""
    _require_staff(actor)
    memo = (
        Memo.objects.select_for_update(of=("self",))
        .select_related("document", "sender_unit", "author")
        .get(pk=memo.pk)
    )
    if not memo_user_is_recipient(user=actor, memo=memo):
        raise AccessDenied(_("Só quem recebeu o memorando pode transformá-lo em protocolo."))
    if memo.case_id is not None:
        raise ApplicationError(_("Este memorando já virou o protocolo %(nup)s.") % {"nup": memo.case.nup})  # type: ignore[union-attr]
    if service is None or not service.is_active:
        raise ApplicationError(_("Escolha um serviço ativo."), extra={"field": "service"})
    case = case_open(
        service=service,
        opened_by=actor,
        form_data=form_data or {},
        subject=memo.subject,
        description=memo.body,
        channel=CaseChannel.STAFF,
    )
    root_id = memo.thread_root_id
    thread = Memo.objects.filter(pk=root_id) | Memo.objects.filter(thread_id=root_id)
    case_document_link(
        case=case,
        document=memo.document,
        actor=actor,
        is_public=False,
        summary=f"Aberto a partir do memorando {memo.document.number}",
        payload={
            "memo": memo.document.number,
            "document": memo.document.verification_code,
            "from": memo.sender_unit.acronym,
            "author": memo.author.full_name,
            "sent_at": memo.created_at.isoformat(),
            "thread": [
                {
                    "number": item.document.number,
                    "author": item.author.full_name,
                    "at": item.created_at.isoformat(),
                    "kind": item.kind,
                }
                for item in thread.select_related("document", "document__unit", "author").order_by(
                    "created_at", "id"
                )
            ],
        },
    )
    memo.case = case
    memo.case_opened_by = actor
    memo.save(update_fields=["case", "case_opened_by", "updated_at"])
    return case


def memo_template_render(*, template: MemoTemplate, unit: OrgUnit, author: User) -> tuple[str, str]:
    """Fill a memo model's placeholders: {{ unidade }}, {{ sigla }}, {{ autor }}, {{ data }}."""
    values = {
        "unidade": unit.name,
        "sigla": unit.acronym,
        "autor": getattr(author, "full_name", ""),
        "data": timezone.localdate().strftime("%d/%m/%Y"),
    }
    title, body = template.title, template.body
    for key, value in values.items():
        for placeholder in (f"{{{{ {key} }}}}", f"{{{{{key}}}}}"):
            title, body = title.replace(placeholder, value), body.replace(placeholder, value)
    return title, body


# --- circulars -------------------------------------------------------------------------------


def circular_audience_user_ids(*, audience: dict[str, Any], exclude_user_id: int | None = None) -> list[int]:
    """Who a circular's audience means today, as sorted user ids (active staff with a current membership).

    units (+ their sub-units down the OrgUnit tree when include_subunits), narrowed to `roles` when both
    are given; roles alone mean everyone with that role anywhere; everyone means every staff member;
    users are added by name.
    """
    today = timezone.localdate()
    current = (
        Membership.objects.exclude(starts_on__gt=today)
        .exclude(ends_on__lt=today)
        .filter(user__is_active=True, user__kind=UserKind.STAFF)
    )
    ids: set[int] = set()
    unit_ids = {int(pk) for pk in audience.get("units", [])}
    roles = [role for role in audience.get("roles", []) if role in ROLE_VALUES]
    if audience.get("everyone"):
        ids |= set(current.values_list("user_id", flat=True))
    if unit_ids and audience.get("include_subunits"):
        parents = dict(OrgUnit.objects.filter(is_active=True).values_list("pk", "parent_id"))
        frontier = set(unit_ids)
        while frontier:
            children = {pk for pk, parent in parents.items() if parent in frontier and pk not in unit_ids}
            unit_ids |= children
            frontier = children
    if unit_ids:
        members = current.filter(unit_id__in=unit_ids)
        if roles:
            members = members.filter(role__in=roles)
        ids |= set(members.values_list("user_id", flat=True))
    elif roles:
        ids |= set(current.filter(role__in=roles).values_list("user_id", flat=True))
    user_ids = {int(pk) for pk in audience.get("users", [])}
    if user_ids:
        ids |= set(
            User.objects.filter(pk__in=user_ids, is_active=True, kind=UserKind.STAFF).values_list(
                "pk", flat=True
            )
        )
    ids.discard(exclude_user_id)  # type: ignore[arg-type]
    return sorted(ids)


@transaction.atomic
def circular_send(
    *,
    author: User,
    sender_unit: OrgUnit,
    subject: str,
    body: str,
    unit_ids: Iterable[int] = (),
    include_subunits: bool = False,
    roles: Iterable[str] = (),
    everyone: bool = False,
    user_ids: Iterable[int] = (),
    acknowledge_by: dt.date | None = None,
) -> Circular:
    """A circular from a unit the author manages (manager or admin role), numbered "CIRC n/aaaa - SIGLA".

    Receipts and notifications are created by `circular_fanout_task` after commit, in batches.
    """
    _require_staff(author)
    if sender_unit.pk not in user_managed_unit_ids(author):
        raise AccessDenied(_("Só o gestor da unidade pode enviar circulares em nome dela."))
    subject, body = _clean_text(subject, body)
    unit_list = sorted({int(pk) for pk in unit_ids})
    if len(unit_list) != OrgUnit.objects.filter(pk__in=unit_list, is_active=True).count():
        raise ApplicationError(_("Unidade de destino inexistente ou inativa."), extra={"field": "units"})
    role_list = sorted(set(roles))
    if any(role not in ROLE_VALUES for role in role_list):
        raise ApplicationError(_("Papel inválido."), extra={"field": "roles"})
    user_list = sorted({int(pk) for pk in user_ids})
    if acknowledge_by is not None and acknowledge_by < timezone.localdate():
        raise ApplicationError(_("O prazo para ciência já passou."), extra={"field": "acknowledge_by"})
    audience = {
        "units": unit_list,
        "include_subunits": bool(include_subunits and unit_list),
        "roles": role_list,
        "everyone": bool(everyone),
        "users": user_list,
    }
    if not circular_audience_user_ids(audience=audience, exclude_user_id=author.pk):
        raise ApplicationError(_("Ninguém recebe esta circular: escolha unidades, papéis ou pessoas."))
    deadline_line = (
        "\n\n" + _("Ciência até %(date)s.") % {"date": acknowledge_by.strftime("%d/%m/%Y")}
        if acknowledge_by
        else ""
    )
    document = document_create(
        kind=DocumentKind.CIRCULAR,
        unit=sender_unit,
        title=subject,
        body=body + deadline_line,
        author=author,
    )
    circular = Circular.objects.create(
        document=document,
        sender_unit=sender_unit,
        author=author,
        subject=subject,
        body=body,
        acknowledge_by=acknowledge_by,
        audience=audience,
    )
    from .tasks import circular_fanout_task

    enqueue_on_commit(circular_fanout_task, circular_id=circular.pk)
    return circular


@transaction.atomic
def circular_open(*, circular: Circular, user: User) -> CircularReceipt | None:
    """The addressee opened the circular while logged in: the first time is kept."""
    receipt = CircularReceipt.objects.filter(
        circular=circular, user_id=int(getattr(user, "pk", 0) or 0)
    ).first()
    if receipt is None or receipt.opened_at is not None:
        return receipt
    updated = CircularReceipt.objects.filter(pk=receipt.pk, opened_at__isnull=True).update(
        opened_at=timezone.now(), updated_at=timezone.now()
    )
    if updated:
        receipt.refresh_from_db()
    return receipt


@transaction.atomic
def circular_acknowledge(*, circular: Circular, user: User) -> CircularReceipt:
    """Ciência: an authenticated click of the addressee (never a tracking pixel). Only the first
    click counts; it also counts as opening."""
    receipt = (
        CircularReceipt.objects.select_for_update()
        .filter(circular=circular, user_id=int(getattr(user, "pk", 0) or 0))
        .first()
    )
    if receipt is None:
        raise AccessDenied(_("Esta circular não foi enviada a você."))
    if receipt.acknowledged_at is not None:
        return receipt
    now = timezone.now()
    receipt.acknowledged_at = now
    receipt.opened_at = receipt.opened_at or now
    receipt.save(update_fields=["acknowledged_at", "opened_at", "updated_at"])
    return receipt


@transaction.atomic
def circular_remind(*, circular: Circular, actor: User, token: str) -> CircularReminder:
    """Remind everyone who has not acknowledged (inbox + e-mail). `token` identifies the click: the
    same token twice (a double click, a retried request) sends nothing the second time."""
    if circular.sender_unit_id not in user_managed_unit_ids(actor):
        raise AccessDenied(_("Só o gestor da unidade remetente pode enviar lembretes."))
    token = (token or "").strip()[:64]
    if not token:
        raise ApplicationError(_("Pedido de lembrete inválido; recarregue a página e tente de novo."))
    reminder, created = CircularReminder.objects.get_or_create(
        circular=circular, token=token, defaults={"sent_by": actor}
    )
    if not created:
        return reminder
    pending = list(
        CircularReceipt.objects.select_for_update()
        .filter(circular=circular, acknowledged_at__isnull=True)
        .select_related("user")
        .order_by("id")
    )
    if not pending:
        raise ApplicationError(_("Todos os destinatários já deram ciência."))
    now = timezone.now()
    notification_queue_bulk(
        template_key="circular_reminder",
        context=_circular_context(circular),
        recipients=[receipt.user for receipt in pending],
        channels=(Channel.INBOX, Channel.EMAIL),
        link_url=circular_url(circular=circular),
        subject_kind=SubjectKind.CIRCULAR,
        subject_id=circular.pk,
    )
    CircularReceipt.objects.filter(pk__in=[receipt.pk for receipt in pending]).update(
        reminded_at=now, reminder_count=F("reminder_count") + 1, updated_at=now
    )
    reminder.recipient_count = len(pending)
    reminder.save(update_fields=["recipient_count", "updated_at"])
    return reminder


def _circular_context(circular: Circular) -> dict[str, Any]:
    return {
        "circular_number": circular.document.number,
        "circular_subject": circular.subject,
        "sender_unit": circular.sender_unit.acronym,
        "acknowledge_by": circular.acknowledge_by.strftime("%d/%m/%Y") if circular.acknowledge_by else "",
        "municipality_name": current_tenant().name,
    }
