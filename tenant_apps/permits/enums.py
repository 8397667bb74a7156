from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    """Decreto 10.178/2019, art. 3º: I baixo (no permit), II médio (automatic), III alto (analysis)."""

    LOW = "I", _("Nível I — baixo risco")
    MEDIUM = "II", _("Nível II — médio risco")
    HIGH = "III", _("Nível III — alto risco")


RISK_RANK = {RiskLevel.LOW: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}


class KindType(models.TextChoices):
    OPERATION = "funcionamento", _("Alvará de funcionamento")
    CONSTRUCTION = "construcao", _("Alvará de construção")
    SANITARY = "sanitaria", _("Licença sanitária")
    EVENT = "evento", _("Alvará de evento")


class FeeMode(models.TextChoices):
    NONE = "isento", _("Sem taxa")
    FIXED = "fixa", _("Valor fixo")
    AREA = "area", _("Por área (m²)")
    RISK = "risco", _("Por nível de risco")


class RequesterKind(models.TextChoices):
    PERSON = "cpf", _("Pessoa física (CPF)")
    COMPANY = "cnpj", _("Empresa (CNPJ)")


class RequestStatus(models.TextChoices):
    PRE_ANALYSIS = "pre_analise", _("Em pré-análise automática")
    NEEDS_FIX = "pendente", _("Pendências a corrigir")
    TERMS_PENDING = "termo", _("Aguardando o termo de ciência")
    IN_ANALYSIS = "analise", _("Em análise")
    READY = "pronto", _("Pareceres favoráveis: aguardando emissão")
    ISSUED = "emitido", _("Alvará emitido")
    EXEMPT = "dispensado", _("Dispensado de alvará (baixo risco)")
    REFUSED = "indeferido", _("Indeferido")
    APPEALED = "recurso", _("Recurso em análise")


OPEN_STATUSES = (
    RequestStatus.PRE_ANALYSIS,
    RequestStatus.NEEDS_FIX,
    RequestStatus.TERMS_PENDING,
    RequestStatus.IN_ANALYSIS,
    RequestStatus.READY,
    RequestStatus.APPEALED,
)


class CheckStatus(models.TextChoices):
    OK = "ok", _("Conforme")
    PROBLEM = "problema", _("Corrigir")
    WARNING = "aviso", _("Verificar")


class ClassifiedBy(models.TextChoices):
    REQUESTER = "requerente", _("Requerente")
    RULE = "regra", _("Regra automática")
    STAFF = "servidor", _("Servidor")
    NONE = "nenhum", _("Não classificado")


class OpinionStatus(models.TextChoices):
    WAITING = "aguardando", _("Aguardando a etapa anterior")
    PENDING = "pendente", _("Pendente")
    FAVOURABLE = "favoravel", _("Favorável")
    UNFAVOURABLE = "desfavoravel", _("Desfavorável")
    CLOSED = "encerrado", _("Encerrado sem parecer: o pedido foi indeferido")


class PermitStatus(models.TextChoices):
    VALID = "vigente", _("Vigente")
    SUSPENDED = "suspenso", _("Suspenso")
    REVOKED = "cassado", _("Cassado")
    EXPIRED = "vencido", _("Vencido")


class IssueMode(models.TextChoices):
    STAFF = "servidor", _("Após análise")
    AUTOMATIC = "automatico", _("Automático (nível II)")
    TACIT = "tacito", _("Aprovação tácita")
    EXEMPTION = "dispensa", _("Declaração de dispensa (nível I)")


class BuilderTarget(models.TextChoices):
    KIND = "tipo", _("Tipo de alvará")
    ITEM = "documento", _("Documento do checklist")
    RULE = "regra", _("Regra de encaminhamento")
    RISK = "risco", _("Nível de risco")
