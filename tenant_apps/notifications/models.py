from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import Channel, DeliveryStatus, EventKind


class NotificationTemplate(BaseModel):
    """A message text the municipal admin can edit (Django template syntax, Portuguese by default)."""

    key = models.SlugField(_("identificador"), max_length=60, unique=True)
    subject = models.CharField(_("assunto do e-mail"), max_length=200)
    email_body = models.TextField(_("texto do e-mail"))
    sms_body = models.CharField(_("texto do SMS"), max_length=320)

    class Meta:
        verbose_name = _("modelo de notificação")
        verbose_name_plural = _("modelos de notificação")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class Notification(BaseModel):
    """One message to one person on one channel, with its delivery state."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    channel = models.CharField(_("canal"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("destino"), max_length=254, blank=True)
    template_key = models.SlugField(max_length=60)
    subject = models.CharField(_("assunto"), max_length=300)
    body = models.TextField(_("texto"))
    link_url = models.CharField(_("link"), max_length=500, blank=True)
    subject_kind = models.CharField(max_length=30, blank=True, help_text=_("Ex.: case"))
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    token = models.CharField(max_length=32, unique=True)
    status = models.CharField(
        _("situação"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    provider_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(_("lida em"), null=True, blank=True)
    fallback_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="fallback"
    )
    # Where and what to send by SMS if this e-mail fails for good (rendered when queued, so the
    # municipality's own SMS text is used).
    fallback_address = models.CharField(_("celular para reenvio"), max_length=20, blank=True)
    fallback_body = models.TextField(_("texto do SMS de reenvio"), blank=True)
    # Files sent with an e-mail (a calendar invitation): [{"filename", "content_type", "content"}],
    # text content only, kept with the message so a retried delivery sends the same files.
    attachments = models.JSONField(_("anexos"), default=list, blank=True)

    class Meta:
        verbose_name = _("notificação")
        verbose_name_plural = _("notificações")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject_kind", "subject_id"], name="notifications_subject_idx"),
            models.Index(fields=["recipient", "channel", "-created_at"], name="notifications_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.address} {self.status}"


class NotificationEvent(BaseModel):
    """A delivery event (ours or the provider's); provider events are idempotent on their id."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    provider_event_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.kind}"


class DigestRun(BaseModel):
    """One staff e-mail digest per person and period: a second run of the same period sends nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_runs")
    period = models.DateField(_("período"))
    covers_until = models.DateTimeField(_("inclui notificações até"))
    item_count = models.PositiveIntegerField(_("itens"))
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("resumo por e-mail")
        verbose_name_plural = _("resumos por e-mail")
        ordering = ["-covers_until", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="notifications_digest_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period}"
