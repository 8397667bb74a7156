from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paco.models import BaseModel

from .enums import (
    BuilderTarget,
    CheckStatus,
    ClassifiedBy,
    FeeMode,
    IssueMode,
    KindType,
    OpinionStatus,
    PermitStatus,
    RequesterKind,
    RequestStatus,
    RiskLevel,
)


class PermitKind(BaseModel):
    """A kind of permit offered in the city's catalogue: its request form is the catalogue service's
    form (catalog.request_form, built without code); this row holds what only permits need."""

    service = models.OneToOneField(
        "catalog.Service",
        verbose_name=_("serviço da carta"),
        on_delete=models.PROTECT,
        related_name="permit_kind",
    )
    kind_type = models.CharField(_("tipo"), max_length=20, choices=KindType.choices)
    uses_activity_risk = models.BooleanField(
        _("risco pela atividade (CNAE)"),
        default=True,
        help_text=_("Desmarcado: todo pedido deste tipo tem o nível fixo abaixo."),
    )
    fixed_level = models.CharField(
        _("nível fixo"), max_length=3, choices=RiskLevel.choices, default=RiskLevel.HIGH
    )
    template = models.ForeignKey(
        "doctemplates.DocumentTemplate",
        verbose_name=_("modelo do alvará"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signature_level = models.CharField(_("nível de assinatura"), max_length=12, default="simples")
    validity_days = models.PositiveIntegerField(_("validade (dias corridos)"), default=365)
    decision_days = models.PositiveIntegerField(
        _("prazo de decisão (dias úteis)"),
        default=30,
        help_text=_("Esgotado sem resposta, o pedido é aprovado tacitamente (Lei 13.874/2019, art. 3º, IX)."),
    )
    conditions = models.TextField(_("condicionantes"), blank=True)
    fee_mode = models.CharField(_("taxa"), max_length=10, choices=FeeMode.choices, default=FeeMode.NONE)
    fee_table = models.JSONField(
        _("tabela da taxa"),
        default=dict,
        blank=True,
        help_text=_(
            'Fixa: {"valor": "150.00"}; área: {"faixas": [[100, "80.00"], [null, '
            '"300.00"]]}; risco: {"II": "90.00", "III": "250.00"}.'
        ),
    )
    terms_text = models.TextField(_("termo de ciência e responsabilidade"), blank=True)

    class Meta:
        verbose_name = _("tipo de alvará")
        verbose_name_plural = _("tipos de alvará")
        ordering = ["service__name"]

    def __str__(self) -> str:
        return self.service.name


class ChecklistItem(BaseModel):
    """A document the request needs, with the checks the pre-analysis runs on it."""

    kind = models.ForeignKey(PermitKind, on_delete=models.CASCADE, related_name="checklist")
    name = models.CharField(_("documento"), max_length=200)
    accepted_types = models.JSONField(
        _("tipos aceitos"), default=list, help_text=_("Ex.: application/pdf, image/jpeg")
    )
    max_size_mb = models.PositiveIntegerField(_("tamanho máximo (MB)"), default=10)
    must_be_signed = models.BooleanField(_("precisa estar assinado digitalmente"), default=False)
    validity_days = models.PositiveIntegerField(_("emitido há no máximo (dias)"), null=True, blank=True)
    is_required = models.BooleanField(_("obrigatório"), default=True)
    match_words = models.JSONField(
        _("palavras para classificação"),
        default=list,
        blank=True,
        help_text=_("Palavras no nome do arquivo ou no texto que identificam este documento."),
    )
    position = models.PositiveIntegerField(_("ordem"), default=0)

    class Meta:
        verbose_name = _("item do checklist")
        verbose_name_plural = _("itens do checklist")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class RiskOverride(BaseModel):
    """The city's own level for an activity (Decreto 10.178/2019, art. 3º, §1º)."""

    cnae_code = models.CharField(_("CNAE"), max_length=7, unique=True)
    level = models.CharField(_("nível"), max_length=3, choices=RiskLevel.choices)
    note = models.CharField(_("fundamento"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("nível de risco do município")
        ordering = ["cnae_code"]

    def __str__(self) -> str:
        return f"{self.cnae_code}={self.level}"


class RoutingRule(BaseModel):
    """Where requests go for opinions: conditions on the answers, and stages of units (parallel inside
    a stage, stages in sequence), each unit with its deadline in business days."""

    name = models.CharField(_("nome"), max_length=200)
    position = models.PositiveIntegerField(_("ordem"), default=0)
    is_published = models.BooleanField(_("publicada"), default=False)
    conditions = models.JSONField(_("condições"), default=list, blank=True)
    stages = models.JSONField(_("etapas"), default=list)
    version = models.PositiveIntegerField(_("versão"), default=1)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("nova versão de"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_versions",
        help_text=_("Ao publicar esta versão, a versão anterior deixa de valer."),
    )
    retired_at = models.DateTimeField(_("substituída em"), null=True, blank=True)

    class Meta:
        verbose_name = _("regra de encaminhamento")
        verbose_name_plural = _("regras de encaminhamento")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class BuilderChange(BaseModel):
    """A change the municipal admin made to the permit builders (a kind, a checklist item, a routing
    rule, a risk level): who, when, what, and the values before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("por"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(_("objeto"), max_length=12, choices=BuilderTarget.choices)
    kind = models.ForeignKey(
        PermitKind, null=True, blank=True, on_delete=models.SET_NULL, related_name="builder_changes"
    )
    object_id = models.PositiveIntegerField()
    label = models.CharField(_("nome"), max_length=200)
    summary = models.CharField(_("alteração"), max_length=300)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("alteração da configuração de alvarás")
        verbose_name_plural = _("alterações da configuração de alvarás")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.target} {self.object_id}: {self.summary}"


class PermitRequest(BaseModel):
    """A permit request: a case of the Protocolo plus what the permit flow needs."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="permit_request")
    kind = models.ForeignKey(PermitKind, on_delete=models.PROTECT, related_name="requests")
    requester_kind = models.CharField(_("requerente"), max_length=4, choices=RequesterKind.choices)
    requester_document = models.CharField(_("CPF/CNPJ"), max_length=14)
    requester_name = models.CharField(_("nome ou razão social"), max_length=200)
    is_mei = models.BooleanField(_("MEI"), default=False)
    activities = models.JSONField(_("atividades (CNAE)"), default=list, blank=True)
    area_m2 = models.DecimalField(_("área (m²)"), max_digits=12, decimal_places=2, null=True, blank=True)
    neighbourhood = models.CharField(_("bairro"), max_length=120, blank=True)
    risk_level = models.CharField(_("nível de risco"), max_length=3, choices=RiskLevel.choices)
    status = models.CharField(_("situação"), max_length=12, choices=RequestStatus.choices)
    fee_amount = models.DecimalField(_("taxa"), max_digits=12, decimal_places=2, default=0)
    fee_paid_at = models.DateTimeField(_("taxa paga em"), null=True, blank=True)
    pre_analysis = models.JSONField(_("pré-análise"), default=list, blank=True)
    pre_analysis_at = models.DateTimeField(null=True, blank=True)
    pre_analysis_runs = models.PositiveIntegerField(default=0)
    insisted = models.BooleanField(_("enviado com pendências a pedido do requerente"), default=False)
    terms_accepted_at = models.DateTimeField(_("termo aceito em"), null=True, blank=True)
    analysis_started_at = models.DateTimeField(null=True, blank=True)
    decision_due = models.DateField(_("prazo de decisão"), null=True, blank=True)
    tacit_notice_sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(_("indeferido em"), null=True, blank=True)
    refusal_reasons = models.TextField(_("motivos do indeferimento"), blank=True)
    appeal_text = models.TextField(_("recurso"), blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    event_start = models.DateField(_("início do evento"), null=True, blank=True)
    event_end = models.DateField(_("fim do evento"), null=True, blank=True)

    class Meta:
        verbose_name = _("pedido de alvará")
        verbose_name_plural = _("pedidos de alvará")
        indexes = [models.Index(fields=["status", "decision_due"], name="permits_request_due_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind_id}"


class RequestFile(BaseModel):
    """A file of the request and the result of its automatic checks."""

    request = models.ForeignKey(PermitRequest, on_delete=models.CASCADE, related_name="files")
    attachment = models.OneToOneField("documents.Attachment", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    classified_by = models.CharField(max_length=12, choices=ClassifiedBy.choices, default=ClassifiedBy.NONE)
    rule_item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_corrected = models.BooleanField(_("classificação corrigida por servidor"), default=False)
    is_current = models.BooleanField(default=True)
    text_chars = models.PositiveIntegerField(null=True, blank=True)
    result = models.CharField(max_length=10, choices=CheckStatus.choices, blank=True)
    checks = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.attachment_id}"


class Opinion(BaseModel):
    """A parecer asked of a unit by the routing rules."""

    request = models.ForeignKey(PermitRequest, on_delete=models.CASCADE, related_name="opinions")
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    stage = models.PositiveIntegerField()
    days = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=OpinionStatus.choices)
    due = models.DateField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["stage", "id"]
        constraints = [models.UniqueConstraint(fields=["request", "unit"], name="permits_opinion_once")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.unit_id} {self.status}"


class Permit(BaseModel):
    """The issued permit (or the level I exemption declaration), a signed document with its status."""

    request = models.OneToOneField(PermitRequest, on_delete=models.PROTECT, related_name="permit")
    number = models.CharField(_("número"), max_length=20, unique=True)
    document = models.OneToOneField("documents.Document", on_delete=models.PROTECT, related_name="permit")
    mode = models.CharField(_("emissão"), max_length=12, choices=IssueMode.choices)
    status = models.CharField(
        _("situação"), max_length=10, choices=PermitStatus.choices, default=PermitStatus.VALID
    )
    status_reason = models.TextField(_("motivo"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(_("emitido em"))
    valid_until = models.DateField(_("válido até"), null=True, blank=True)
    conditions = models.TextField(_("condicionantes"), blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("alvará")
        verbose_name_plural = _("alvarás")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


class PermitDay(models.Model):
    """Daily aggregate for the managers' indicators (insights reads it; pages never scan requests):
    per day, kind, risk level and licensing unit, requests submitted, permits issued (automatically,
    tacitly) and refusals, with the days from request to issuance as a histogram (`days` = whole
    days, `issued` counts) so p50/p90 come out exact. Level I exemption declarations are counted
    apart (`exempted`), never as issued permits."""

    day = models.DateField()
    kind_code = models.CharField(max_length=60)
    risk_level = models.CharField(max_length=3)
    unit = models.ForeignKey("org.OrgUnit", null=True, on_delete=models.CASCADE, related_name="+")
    days = models.IntegerField(default=-1, help_text="-1 on the rows counting requests and refusals")
    requested = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    auto_issued = models.PositiveIntegerField(default=0)
    tacit = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    exempted = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="permits_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind_code} {self.risk_level}"


class OpinionDay(models.Model):
    """Daily aggregate of where requests wait (`step`): the opinions per unit ("parecer": given, the
    days they waited, still waiting at the end of the day), and, under the licensing unit, the
    requests waiting for issuance after every opinion was favourable ("emissao") and those sent back
    to the requester ("pendente"), with the days those still waiting have waited."""

    day = models.DateField()
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=10, default="parecer")
    decided = models.PositiveIntegerField(default=0)
    wait_days_sum = models.FloatField(default=0)
    waiting = models.PositiveIntegerField(default=0)
    waiting_days_sum = models.FloatField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="permits_opinionday_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id}"
