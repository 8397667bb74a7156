from django.db import models
from django.utils.translation import gettext_lazy as _


class SignupStatus(models.TextChoices):
    PENDING_VERIFICATION = "pending_verification", _("Aguardando confirmação do e-mail")
    VERIFIED = "verified", _("E-mail confirmado")
    PROVISIONING = "provisioning", _("Criando o portal")
    READY = "ready", _("Portal pronto")
    FAILED = "failed", _("Falhou")
    EXPIRED = "expired", _("Expirado")


# A city and a subdomain can be in at most one of these at a time.
OPEN_STATUSES = (SignupStatus.PENDING_VERIFICATION, SignupStatus.VERIFIED, SignupStatus.PROVISIONING)


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Cartão de crédito (Stripe Checkout)")
    BOLETO = "boleto", _("Boleto (fatura mensal por e-mail)")
