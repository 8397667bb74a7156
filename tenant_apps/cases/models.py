from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel
from tenant_apps.documents.enums import AccessLevel

from .enums import CaseChannel, CaseStatus, EventKind


class Case(BaseModel):
    """A protocolo: a request routed between units until it is answered, numbered in NUP form."""

    nup = models.CharField(_("NUP"), max_length=25, unique=True)
    service = models.ForeignKey(
        "catalog.Service", verbose_name=_("serviço"), on_delete=models.PROTECT, related_name="cases"
    )
    subject = models.CharField(_("assunto"), max_length=300)
    description = models.TextField(_("descrição"), blank=True)
    form_data = models.JSONField(_("dados do formulário"), default=dict, blank=True)
    channel = models.CharField(
        _("canal"), max_length=10, choices=CaseChannel.choices, default=CaseChannel.PORTAL
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requerente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opening_unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("unidade de abertura"), on_delete=models.PROTECT, related_name="+"
    )
    current_unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("unidade atual"), on_delete=models.PROTECT, related_name="cases"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsável"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    status = models.CharField(
        _("situação"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    access_level = models.CharField(
        _("nível de acesso"), max_length=10, choices=AccessLevel.choices, default=AccessLevel.RESTRICTED
    )
    opened_at = models.DateTimeField(_("aberto em"))
    deadline = models.DateField(_("prazo"))
    paused_since = models.DateTimeField(_("pausado desde"), null=True, blank=True)
    closed_at = models.DateTimeField(_("concluído em"), null=True, blank=True)
    final_answer = models.TextField(_("resposta final"), blank=True)
    last_event_at = models.DateTimeField(_("última movimentação"))
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("protocolo")
        verbose_name_plural = _("protocolos")
        indexes = [
            # the unit inbox: keyset pagination on (last_event_at, id) within a unit and status
            models.Index(fields=["current_unit", "status", "-last_event_at", "-id"], name="cases_inbox_idx"),
            models.Index(fields=["current_unit", "-last_event_at", "-id"], name="cases_unit_recent_idx"),
            models.Index(fields=["citizen", "-opened_at"], name="cases_citizen_idx"),
            models.Index(
                fields=["current_unit", "deadline"],
                name="cases_deadline_idx",
                condition=~models.Q(status="concluido"),
            ),
            GinIndex(fields=["search_vector"], name="cases_search_gin"),
        ]

    def __str__(self) -> str:
        return self.nup

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return (
            self.status != CaseStatus.CLOSED
            and self.paused_since is None
            and self.deadline < timezone.localdate()
        )


class CaseMove(BaseModel):
    """A tramitação: the case left one unit for another."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="moves")
    from_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("observação"), blank=True)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_unit_id} -> {self.to_unit_id}"


class Dispatch(BaseModel):
    """A despacho: a decision or order written on the case, kept as a numbered document."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="dispatches")
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("despacho"))
    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, related_name="dispatch")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.text[:40]}"


class InformationRequest(BaseModel):
    """Staff asked the citizen for more information; the deadline clock stops until they answer."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="information_requests")
    question = models.TextField(_("pergunta"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("resposta"), blank=True)
    answered_at = models.DateTimeField(_("respondida em"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.question[:40]}"


class CaseDocument(BaseModel):
    """A document that belongs to the case file (requests, receipts, dispatches, attachments)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_documents")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="case_links")
    is_public = models.BooleanField(
        _("visível para o requerente"),
        default=True,
        help_text=_("Despachos internos não aparecem para o cidadão."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "document"], name="cases_document_once")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.document_id}"


class CaseShare(BaseModel):
    """A case shared with a staff member outside the units it passed through."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_cases")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="cases_share_once")]

    def __str__(self) -> str:
        return f"{self.case_id} -> {self.user_id}"


class CaseEvent(models.Model):
    """Append-only, hash-chained history of a case (a database trigger forbids UPDATE and DELETE).

    `hash` = SHA-256 over the previous entry's hash and this entry's canonical JSON, so changing
    or removing any past entry breaks every hash after it (`verify_case_history` finds where).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(max_length=500)
    payload = models.JSONField(default=dict)
    is_public = models.BooleanField(default=True, help_text=_("Visível para o requerente."))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="cases_event_sequence")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.sequence} {self.kind}"
