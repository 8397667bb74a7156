"""Memos (memorandos) and circulars with their receipts (ciência)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import MemoKind


class MemoTemplate(BaseModel):
    """A memo model: title and body with placeholders ({{ unidade }}, {{ autor }}, {{ data }})."""

    title = models.CharField(_("título"), max_length=200)
    body = models.TextField(_("texto"))
    is_active = models.BooleanField(_("ativo"), default=True)

    class Meta:
        verbose_name = _("modelo de memorando")
        verbose_name_plural = _("modelos de memorando")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Memo(BaseModel):
    """A memorando from a unit to units and/or people; replies and forwards share its thread."""

    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, related_name="memo")
    kind = models.CharField(_("tipo"), max_length=20, choices=MemoKind.choices, default=MemoKind.ORIGINAL)
    sender_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("unidade remetente"),
        on_delete=models.PROTECT,
        related_name="memos_sent",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("autor"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("assunto"), max_length=300)
    body = models.TextField(_("texto"))
    thread = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="thread_memos"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    note = models.TextField(_("nota do encaminhamento"), blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="memos"
    )
    case_opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("memorando")
        verbose_name_plural = _("memorandos")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"memo {self.pk}"

    @property
    def thread_root_id(self) -> int:
        return int(self.thread_id or self.pk)


class MemoRecipient(BaseModel):
    """One addressee of a memo: a unit (everyone working there) or a person."""

    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="recipients")
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("lido em"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=True, user__isnull=False)
                | models.Q(unit__isnull=False, user__isnull=True),
                name="comms_memo_recipient_unit_xor_user",
            ),
            models.UniqueConstraint(fields=["memo", "unit"], name="comms_memo_recipient_unit_once"),
            models.UniqueConstraint(fields=["memo", "user"], name="comms_memo_recipient_user_once"),
        ]
        indexes = [
            models.Index(fields=["unit", "memo"], name="comms_memo_rcpt_unit_idx"),
            models.Index(fields=["user", "memo"], name="comms_memo_rcpt_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.memo_id} -> {self.unit_id or self.user_id}"


class Circular(BaseModel):
    """A circular from a unit to many people; `audience` says who, the receipts say who read it."""

    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, related_name="circular")
    sender_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("unidade remetente"),
        on_delete=models.PROTECT,
        related_name="circulars_sent",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("autor"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("assunto"), max_length=300)
    body = models.TextField(_("texto"))
    acknowledge_by = models.DateField(_("ciência até"), null=True, blank=True)
    # {"units": [ids], "include_subunits": bool, "roles": [...], "everyone": bool, "users": [ids]}
    audience = models.JSONField(default=dict)
    recipient_count = models.PositiveIntegerField(default=0)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("circular")
        verbose_name_plural = _("circulares")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"circular {self.pk}"


class CircularReceipt(BaseModel):
    """One recipient of a circular: when it was opened and when the person declared ciência."""

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="circular_receipts"
    )
    opened_at = models.DateTimeField(_("aberta em"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("ciente em"), null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(_("último lembrete"), null=True, blank=True)
    reminder_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["circular", "user"], name="comms_circular_receipt_once")
        ]
        indexes = [models.Index(fields=["user", "circular"], name="comms_receipt_user_idx")]

    def __str__(self) -> str:
        return f"{self.circular_id}: {self.user_id}"


class CircularReminder(BaseModel):
    """A reminder sent to everyone who had not acknowledged; one per click (`token`)."""

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="reminders")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    token = models.CharField(max_length=64)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["circular", "token"], name="comms_circular_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.circular_id} reminder {self.pk}"
