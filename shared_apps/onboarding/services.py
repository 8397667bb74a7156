"""Onboarding writes: a municipality signs up, confirms its e-mail, and its portal is provisioned.

signup_create (pending_verification) -> signup_verify (verified, job enqueued)
-> signup_provision, in the job (provisioning -> ready | failed, retried)
pending_verification past ONBOARDING_VERIFICATION_HOURS -> expired (daily job; read as expired)
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists

from paco.errors import ApplicationError
from paco.jobs import enqueue_on_commit
from paco.tokens import token_hash, token_new
from shared_apps.billing.selectors import plan_list
from shared_apps.billing.services import subscription_ensure, subscription_invoice_start
from tenants.enums import MunicipalityStatus
from tenants.models import Domain, Municipality
from tenants.services import (
    AdminSpec,
    MunicipalitySpec,
    OrgUnitSpec,
    municipality_provision,
    schema_name_for_slug,
)

from .enums import OPEN_STATUSES, PaymentMethod, SignupStatus
from .models import Signup
from .selectors import ibge_municipality_get, progress_cache_key, signup_is_expired
from .validators import cpf_normalize, email_normalize, ibge_code_is_valid, slug_normalize

logger = logging.getLogger(__name__)

PRIMARY_COLOR = "#1351b4"  # gov.br Design System blue
SECONDARY_COLOR = "#ffcd07"  # gov.br Design System yellow
ADMIN_UNIT = "SEMAD"
PROGRESS_CACHE_SECONDS = 3600

# A starter org chart every new city can rename and extend: the Ouvidoria sits in the Controladoria.
STARTER_ORG_CHART = (
    OrgUnitSpec("10001", "GP", "Gabinete do Prefeito", "secretaria"),
    OrgUnitSpec("10002", ADMIN_UNIT, "Secretaria Municipal de Administração", "secretaria"),
    OrgUnitSpec("10003", f"{ADMIN_UNIT}-PROT", "Protocolo Geral", "setor", parent=ADMIN_UNIT),
    OrgUnitSpec("10004", "SEFAZ", "Secretaria Municipal da Fazenda", "secretaria"),
    OrgUnitSpec("10005", "SMS", "Secretaria Municipal de Saúde", "secretaria"),
    OrgUnitSpec("10006", "SEMED", "Secretaria Municipal de Educação", "secretaria"),
    OrgUnitSpec("10007", "SEMOSU", "Secretaria Municipal de Obras e Serviços Urbanos", "secretaria"),
    OrgUnitSpec("10008", "CGM", "Controladoria-Geral do Município", "controladoria"),
    OrgUnitSpec("10009", "CGM-OUV", "Ouvidoria-Geral do Município", "setor", parent="CGM"),
    OrgUnitSpec("10010", "PGM", "Procuradoria-Geral do Município", "secretaria"),
)

# The legal time of each UF's capital (a few municipalities of AM and PA differ; the admin can change it).
UF_TIME_ZONES = {
    "AC": "America/Rio_Branco", "AM": "America/Manaus", "RR": "America/Boa_Vista",
    "RO": "America/Porto_Velho", "MT": "America/Cuiaba", "MS": "America/Campo_Grande",
    "PA": "America/Belem", "AP": "America/Belem", "TO": "America/Araguaina",
    "MA": "America/Fortaleza", "PI": "America/Fortaleza", "CE": "America/Fortaleza",
    "RN": "America/Fortaleza", "PB": "America/Fortaleza", "PE": "America/Recife",
    "AL": "America/Maceio", "SE": "America/Maceio", "BA": "America/Bahia",
}  # fmt: skip


def verification_url(*, token: str) -> str:
    path = reverse("onboarding:confirm", kwargs={"token": token}, urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    return f"{settings.CONTROL_PLANE_BASE_URL}{path}"


def _deadline() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=settings.ONBOARDING_VERIFICATION_HOURS)


def _refuse(message: str, field: str) -> ApplicationError:
    return ApplicationError(message, extra={"field": field})


def _verification_email_send(*, signup_id: uuid.UUID, token: str) -> None:
    signup = Signup.objects.get(pk=signup_id)
    hours = settings.ONBOARDING_VERIFICATION_HOURS
    lines = [
        _("Olá, %(name)s,") % {"name": signup.admin_full_name},
        "",
        _("Recebemos o pedido de cadastro de %(city)s/%(uf)s no Paço, com o endereço %(host)s.")
        % {
            "city": signup.city_name,
            "uf": signup.uf,
            "host": f"{signup.slug}.{settings.TENANT_DOMAIN_SUFFIX}",
        },
        _("Para confirmar o e-mail e criar o portal da prefeitura, abra o link abaixo:"),
        "",
        verification_url(token=token),
        "",
        _("O link vale por %(hours)s horas e só pode ser usado uma vez.") % {"hours": hours},
        _("Se você não pediu este cadastro, ignore esta mensagem: nada será criado."),
        "",
        _("Equipe Paço"),
    ]
    send_mail(
        _("Confirme o cadastro de %(city)s no Paço") % {"city": signup.city_name},
        "\n".join(lines),
        settings.DEFAULT_FROM_EMAIL,
        [signup.admin_email],
    )


def _stale_signups_expire(*, ibge_code: str, slug: str) -> None:
    """Unverified signups past their deadline free the city and the address at once."""
    Signup.objects.filter(
        Q(ibge_code=ibge_code) | Q(slug=slug),
        status=SignupStatus.PENDING_VERIFICATION,
        verification_expires_at__lte=timezone.now(),
    ).update(status=SignupStatus.EXPIRED, updated_at=timezone.now())


@transaction.atomic
def signup_create(
    *,
    ibge_code: str,
    slug: str,
    admin_full_name: str,
    admin_cpf: str,
    admin_email: str,
    plan_code: str,
    payment_method: str,
    remote_addr: str = "",
) -> tuple[Signup, str]:
    """A signup waiting for its e-mail verification, and the raw token of the link (e-mailed on commit)."""
    ibge_code = ibge_code.strip()
    if not ibge_code_is_valid(ibge_code):
        raise _refuse(_("Código IBGE inválido: confira o município escolhido."), "ibge_code")
    city = ibge_municipality_get(ibge_code)
    if city is None:
        raise _refuse(_("Município não encontrado na tabela do IBGE."), "ibge_code")
    if Municipality.objects.filter(ibge_code=ibge_code).exists():
        raise _refuse(
            _("%(city)s/%(uf)s já usa o Paço. Fale com o suporte se precisar de acesso.")
            % {"city": city.name, "uf": city.uf},
            "ibge_code",
        )
    slug = slug_normalize(slug)
    hostname = f"{slug}.{settings.TENANT_DOMAIN_SUFFIX}".lower()
    if (
        Municipality.objects.filter(Q(slug=slug) | Q(schema_name=schema_name_for_slug(slug=slug))).exists()
        or Domain.objects.filter(domain=hostname).exists()
        or schema_exists(schema_name_for_slug(slug=slug))
    ):
        raise _refuse(
            _("O endereço %(hostname)s já está em uso. Escolha outro.") % {"hostname": hostname}, "slug"
        )
    full_name = " ".join(admin_full_name.split())
    if len(full_name) < 3 or len(full_name) > 150:
        raise _refuse(_("Informe seu nome completo."), "admin_full_name")
    cpf = cpf_normalize(admin_cpf)
    email = email_normalize(admin_email)
    if plan_code not in {plan.code for plan in plan_list()}:
        raise _refuse(_("Escolha um dos planos."), "plan_code")
    if payment_method not in PaymentMethod.values:
        raise _refuse(_("Escolha a forma de pagamento."), "payment_method")

    _stale_signups_expire(ibge_code=ibge_code, slug=slug)
    open_signups = Signup.objects.filter(status__in=OPEN_STATUSES)
    if open_signups.filter(ibge_code=ibge_code).exists():
        raise _refuse(
            _(
                "Já há um cadastro em andamento para %(city)s/%(uf)s. Confira a caixa de entrada do e-mail"
                " informado nele ou aguarde o prazo do link de confirmação."
            )
            % {"city": city.name, "uf": city.uf},
            "ibge_code",
        )
    if open_signups.filter(slug=slug).exists():
        raise _refuse(
            _("O endereço %(hostname)s já está em uso. Escolha outro.") % {"hostname": hostname}, "slug"
        )

    token = token_new()
    try:
        with transaction.atomic():
            signup = Signup.objects.create(
                ibge_code=ibge_code,
                city_name=city.name,
                uf=city.uf,
                slug=slug,
                admin_full_name=full_name,
                admin_cpf=cpf,
                admin_email=email,
                plan_code=plan_code,
                payment_method=payment_method,
                verification_token_hash=token_hash(token),
                verification_expires_at=_deadline(),
                remote_addr=remote_addr[:45],
            )
    except IntegrityError as error:  # a concurrent signup of the same city or address won
        raise _refuse(
            _("Já há um cadastro em andamento para este município ou endereço."), "ibge_code"
        ) from error
    signup_id = signup.pk
    # robust: a mail server failure is logged, the signup stays and "Reenviar e-mail" sends it again
    transaction.on_commit(lambda: _verification_email_send(signup_id=signup_id, token=token), robust=True)
    logger.info("signup %s created for %s (%s)", signup.pk, ibge_code, slug)
    return signup, token


def signup_get_by_token(*, token: str) -> Signup | None:
    return Signup.objects.filter(verification_token_hash=token_hash(token)).first() if token else None


def signup_token_check(*, signup: Signup | None) -> Signup:
    """The signup a link may still confirm; a Portuguese error naming why not (extra["reason"])."""
    if signup is None:
        raise ApplicationError(
            _("Link de confirmação inválido. Ele pode ter sido substituído por um e-mail mais recente."),
            extra={"reason": "unknown"},
        )
    if signup_is_expired(signup):
        raise ApplicationError(
            _("Este link de confirmação expirou. Faça o cadastro novamente."), extra={"reason": "expired"}
        )
    if signup.status != SignupStatus.PENDING_VERIFICATION:
        raise ApplicationError(
            _("Este link já foi usado. Acompanhe a criação do portal pela página do cadastro."),
            extra={"reason": "used", "signup_id": str(signup.pk)},
        )
    return signup


@transaction.atomic
def signup_verify(*, token: str) -> Signup:
    """Confirm the e-mail (the link's token) and enqueue the provisioning job."""
    signup = signup_token_check(
        signup=Signup.objects.select_for_update().filter(verification_token_hash=token_hash(token)).first()
        if token
        else None
    )
    signup.status = SignupStatus.VERIFIED
    signup.verified_at = timezone.now()
    signup.save(update_fields=["status", "verified_at", "updated_at"])
    from .tasks import onboarding_provision_task

    enqueue_on_commit(onboarding_provision_task, signup_id=str(signup.pk))
    return signup


@transaction.atomic
def signup_verification_resend(*, signup: Signup) -> str:
    """A new link (the previous one stops working) with a fresh deadline; only while pending."""
    row = Signup.objects.select_for_update().get(pk=signup.pk)
    if row.status != SignupStatus.PENDING_VERIFICATION or signup_is_expired(row):
        raise ApplicationError(
            _("Só é possível reenviar o e-mail enquanto o cadastro aguarda a confirmação, dentro do prazo.")
        )
    token = token_new()
    row.verification_token_hash = token_hash(token)
    row.verification_expires_at = _deadline()
    row.save(update_fields=["verification_token_hash", "verification_expires_at", "updated_at"])
    signup_id = row.pk
    transaction.on_commit(lambda: _verification_email_send(signup_id=signup_id, token=token), robust=True)
    signup.verification_token_hash = row.verification_token_hash
    signup.verification_expires_at = row.verification_expires_at
    return token


def signups_expire(*, now: dt.datetime | None = None) -> int:
    """Unverified signups past their deadline become expired (daily job); returns how many. One UPDATE,
    atomic on its own."""
    now = now or timezone.now()
    return Signup.objects.filter(
        status=SignupStatus.PENDING_VERIFICATION, verification_expires_at__lte=now
    ).update(status=SignupStatus.EXPIRED, updated_at=now)


def signups_stalled_requeue(*, now: dt.datetime | None = None) -> list[str]:
    """Queue the provisioning job again for every signup confirmed more than
    ONBOARDING_STALLED_SWEEP_MINUTES ago that is still only VERIFIED: its job was lost between the
    confirmation's commit and the enqueue (a web process killed at that instant). The job locks the
    signup and is idempotent, so a job that was merely slow and now runs twice does nothing more.
    Returns the signups' ids. A read then enqueues; nothing is written here."""
    from .tasks import onboarding_provision_task

    now = now or timezone.now()
    older_than = now - dt.timedelta(minutes=settings.ONBOARDING_STALLED_SWEEP_MINUTES)
    stalled = Signup.objects.filter(status=SignupStatus.VERIFIED, verified_at__lte=older_than)
    ids = [str(pk) for pk in stalled.values_list("pk", flat=True)]
    for signup_id in ids:
        onboarding_provision_task.send(signup_id=signup_id)
    if ids:
        logger.warning("onboarding: queued the provisioning of %d stalled signup(s) again", len(ids))
    return ids


def municipality_spec_for(*, signup: Signup) -> MunicipalitySpec:
    return MunicipalitySpec(
        slug=signup.slug,
        name=signup.city_name,
        display_name=f"Prefeitura Municipal de {signup.city_name}",
        ibge_code=signup.ibge_code,
        state=signup.uf,
        primary_color=PRIMARY_COLOR,
        secondary_color=SECONDARY_COLOR,
        time_zone=UF_TIME_ZONES.get(signup.uf, "America/Sao_Paulo"),
        population=None,
        status=MunicipalityStatus.TRIAL,
        org_chart=STARTER_ORG_CHART,
        admin=AdminSpec(
            email=signup.admin_email, full_name=signup.admin_full_name, password=None, unit=ADMIN_UNIT
        ),
    )


def _progress_write(signup_id: uuid.UUID, steps: dict[str, float]) -> None:
    with schema_context("public"):
        cache.set(progress_cache_key(signup_id), dict(steps), timeout=PROGRESS_CACHE_SECONDS)


def _billing_start(signup: Signup, municipality: Municipality) -> str:
    """The subscription (trial, the plan chosen) and, for boleto with Stripe configured, the invoiced
    Stripe subscription. Returns a Portuguese error for the signup page; never undoes the city."""
    with transaction.atomic():
        subscription = subscription_ensure(
            municipality=municipality, contact_email=signup.admin_email, plan_code=signup.plan_code
        )
    if signup.payment_method != PaymentMethod.BOLETO or not settings.STRIPE_API_KEY:
        return ""
    if subscription.stripe_subscription_id:
        return ""
    try:
        subscription_invoice_start(municipality=municipality, contact_email=signup.admin_email)
    except ApplicationError as error:
        logger.warning("billing of signup %s failed: %s", signup.pk, error.message)
        return _(
            "O portal está no ar, mas não conseguimos registrar a cobrança por boleto (%(reason)s)."
            " Conclua o pagamento na página de assinatura do portal."
        ) % {"reason": error.message}
    return ""


def signup_provision(*, signup_id: uuid.UUID | str) -> Signup:
    """The provisioning job's body: the city's schema, org chart, admin, branding, then billing.

    Not one transaction on purpose: `municipality_provision` is atomic by itself (a failure leaves no
    half-built schema), the failure is recorded in a transaction of its own before the job retries,
    and a Stripe failure is recorded without undoing the live city. Idempotent: a ready signup is
    returned unchanged, and a re-run after a crash completes what is missing.
    """
    with transaction.atomic():
        signup = Signup.objects.select_for_update().get(pk=signup_id)
        if signup.status == SignupStatus.READY:
            return signup
        if signup.status not in (SignupStatus.VERIFIED, SignupStatus.PROVISIONING, SignupStatus.FAILED):
            raise ApplicationError(_("O cadastro ainda não foi confirmado pelo e-mail."))
        signup.status = SignupStatus.PROVISIONING
        signup.error = ""
        signup.save(update_fields=["status", "error", "updated_at"])

    steps: dict[str, float] = {}

    def on_step(name: str, seconds: float) -> None:
        steps[name] = round(seconds, 3)
        _progress_write(signup.pk, steps)

    _progress_write(signup.pk, steps)
    try:
        municipality = municipality_provision(spec=municipality_spec_for(signup=signup), on_step=on_step)
    except Exception as error:
        message = (
            error.message
            if isinstance(error, ApplicationError)
            else _("Não foi possível criar o portal agora. Tentaremos de novo em instantes.")
        )
        with transaction.atomic():
            Signup.objects.filter(pk=signup.pk).update(
                status=SignupStatus.FAILED, error=message, updated_at=timezone.now()
            )
        logger.exception("provisioning of signup %s failed", signup.pk)
        raise

    started = time.perf_counter()
    billing_error = _billing_start(signup, municipality)
    steps["billing"] = round(time.perf_counter() - started, 3)

    with transaction.atomic():
        signup = Signup.objects.select_for_update().get(pk=signup.pk)
        signup.municipality = municipality
        signup.step_seconds = steps
        signup.billing_error = billing_error
        signup.error = ""
        signup.status = SignupStatus.READY
        signup.ready_at = timezone.now()
        signup.save(
            update_fields=[
                "municipality",
                "step_seconds",
                "billing_error",
                "error",
                "status",
                "ready_at",
                "updated_at",
            ]
        )
    with schema_context("public"):
        cache.delete(progress_cache_key(signup.pk))
    logger.info("signup %s ready: %s", signup.pk, municipality.schema_name)
    return signup
