from django.db import models
from django.utils.translation import gettext_lazy as _


class PixKeyType(models.TextChoices):
    CPF = "cpf", _("CPF")
    CNPJ = "cnpj", _("CNPJ")
    EMAIL = "email", _("E-mail")
    PHONE = "telefone", _("Telefone celular")
    EVP = "aleatoria", _("Chave aleatória (EVP)")


class GuideStatus(models.TextChoices):
    PENDING = "pendente", _("Aguardando pagamento")
    PAID = "paga", _("Paga")
    CANCELLED = "cancelada", _("Cancelada")
    EXPIRED = "vencida", _("Vencida")


class GuideEventKind(models.TextChoices):
    ISSUED = "emitida", _("Emitida")
    PAID_WEBHOOK = "paga_pix", _("Paga (aviso do banco)")
    PAID_MANUAL = "paga_manual", _("Baixa manual")
    CANCELLED = "cancelada", _("Cancelada")
    EXPIRED = "vencida", _("Vencida")
    AMOUNT_MISMATCH = "valor_divergente", _("Pagamento com valor divergente")
    PAID_AFTER_CANCEL = "paga_cancelada", _("Pagamento de guia cancelada")
    PAID_TWICE = "paga_duplicada", _("Pagamento em duplicidade")
    HANDLED = "processada", _("Efeitos do pagamento aplicados")
    PSP_REFUSED = "psp_recusou", _("Cobrança recusada pelo banco")
    REFUND_REQUESTED = "devolucao_pedida", _("Devolução solicitada")
    REFUND_DONE = "devolvida", _("Devolução concluída")
    REFUND_FAILED = "devolucao_falhou", _("Devolução não realizada")


class WebhookOutcome(models.TextChoices):
    APPLIED = "aplicado", _("Aplicado")
    ALREADY_PAID = "ja_paga", _("Guia já estava paga")
    AMOUNT_MISMATCH = "valor_divergente", _("Valor divergente: não aplicado")
    GUIDE_CANCELLED = "guia_cancelada", _("Guia cancelada: não aplicado")
    UNKNOWN_TXID = "txid_desconhecido", _("txid desconhecido")


class RefundStatus(models.TextChoices):
    """A devolução of the Pix API (`EM_PROCESSAMENTO`, `DEVOLVIDO`, `NAO_REALIZADO`), plus our own
    two: asked for (before the PSP answered) and refused by the PSP (nothing to settle)."""

    REQUESTED = "solicitada", _("Solicitada ao banco")
    PROCESSING = "em_processamento", _("Em processamento no banco")
    DONE = "devolvida", _("Devolvida")
    NOT_DONE = "nao_realizada", _("Não realizada pelo banco")
    FAILED = "recusada", _("Recusada pelo banco")


REFUND_STATUS_FROM_PSP = {
    "EM_PROCESSAMENTO": RefundStatus.PROCESSING,
    "DEVOLVIDO": RefundStatus.DONE,
    "NAO_REALIZADO": RefundStatus.NOT_DONE,
}
# a devolução that holds part of the paid amount (asked for, on its way, or done)
REFUND_COUNTING = (RefundStatus.REQUESTED, RefundStatus.PROCESSING, RefundStatus.DONE)
