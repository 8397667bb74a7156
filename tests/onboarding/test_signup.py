"""Signing up: every refusal is a Portuguese message on its field and creates nothing."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core import mail
from django.utils import timezone

from paco.errors import ApplicationError
from shared_apps.onboarding.enums import SignupStatus
from shared_apps.onboarding.models import Signup
from shared_apps.onboarding.selectors import email_mask, signup_effective_status
from shared_apps.onboarding.services import (
    signup_create,
    signup_verification_resend,
    signup_verify,
    signups_expire,
)
from shared_apps.onboarding.tasks import onboarding_provision_task
from tenants.models import Domain

from .conftest import LAGARTO, signup_kwargs


def test_signup_create_stores_the_signup_and_only_the_tokens_hash(db, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        signup, token = signup_create(**signup_kwargs(), remote_addr="203.0.113.9")

    # then
    signup.refresh_from_db()
    assert (signup.ibge_code, signup.city_name, signup.uf, signup.slug) == (
        LAGARTO,
        "Lagarto",
        "SE",
        "lagarto",
    )
    assert (signup.admin_full_name, signup.admin_cpf, signup.admin_email) == (
        "Lúcia Prefeita Lagartense",
        "52998224725",
        "gabinete@lagarto.se.gov.br",
    )
    assert (signup.plan_code, signup.payment_method, signup.status) == (
        "medio",
        "boleto",
        "pending_verification",
    )
    assert signup.verification_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in signup.verification_token_hash
    assert abs(signup.verification_expires_at - (timezone.now() + dt.timedelta(hours=48))) < dt.timedelta(
        minutes=1
    )
    assert signup.remote_addr == "203.0.113.9"
    assert signup.municipality is None


def test_the_verification_email(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _signup, token = signup_create(**signup_kwargs())

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["gabinete@lagarto.se.gov.br"]
    assert message.subject == "Confirme o cadastro de Lagarto no Paço"
    link = f"http://localhost:8000/cadastro/confirmar/{token}/"
    assert message.body == (
        "Olá, Lúcia Prefeita Lagartense,\n"
        "\n"
        "Recebemos o pedido de cadastro de Lagarto/SE no Paço, com o endereço lagarto.localhost.\n"
        "Para confirmar o e-mail e criar o portal da prefeitura, abra o link abaixo:\n"
        "\n"
        f"{link}\n"
        "\n"
        "O link vale por 48 horas e só pode ser usado uma vez.\n"
        "Se você não pediu este cadastro, ignore esta mensagem: nada será criado.\n"
        "\n"
        "Equipe Paço"
    )


def test_no_email_when_the_signup_is_rolled_back(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signup_create(**signup_kwargs())
    assert len(callbacks) == 1
    assert mail.outbox == []


REFUSALS = [
    ({"admin_cpf": "529.982.247-24"}, "admin_cpf", "CPF inválido: confira os números digitados."),
    ({"admin_cpf": "111.111.111-11"}, "admin_cpf", "CPF inválido: confira os números digitados."),
    (
        {"admin_email": "prefeito@lagarto.com.br"},
        "admin_email",
        "Use o e-mail institucional da prefeitura (terminado em .gov.br).",
    ),
    ({"slug": "suporte"}, "slug", "O endereço “suporte” é reservado. Escolha outro."),
    ({"slug": "paco-template"}, "slug", "O endereço “paco-template” é reservado. Escolha outro."),
    ({"slug": "pg-lagarto"}, "slug", "O endereço “pg-lagarto” é reservado. Escolha outro."),
    (
        {"slug": "La"},
        "slug",
        "Use de 3 a 42 letras minúsculas, números ou hífens, começando por uma letra.",
    ),
    ({"slug": "aracaju"}, "slug", "O endereço aracaju.localhost já está em uso. Escolha outro."),
    (
        {"ibge_code": "2800308"},
        "ibge_code",
        "Aracaju/SE já usa o Paço. Fale com o suporte se precisar de acesso.",
    ),
    ({"ibge_code": "2803501"}, "ibge_code", "Código IBGE inválido: confira o município escolhido."),
    # a right check digit, but no such municipality
    ({"ibge_code": "2899995"}, "ibge_code", "Município não encontrado na tabela do IBGE."),
    ({"admin_full_name": "  "}, "admin_full_name", "Informe seu nome completo."),
    ({"plan_code": "gratis"}, "plan_code", "Escolha um dos planos."),
    ({"payment_method": "pix"}, "payment_method", "Escolha a forma de pagamento."),
]


@pytest.mark.parametrize(("overrides", "field", "message"), REFUSALS)
def test_each_refusal_names_its_field_and_creates_nothing(
    db, overrides, field, message, django_capture_on_commit_callbacks
):
    from shared_apps.onboarding.validators import ibge_check_digit

    assert ibge_check_digit("289999") == 5  # the unknown code above has a right check digit
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError) as error:
        signup_create(**signup_kwargs(**overrides))

    assert (error.value.extra["field"], error.value.message) == (field, message)
    assert Signup.objects.count() == 0
    assert mail.outbox == []


def test_a_domain_already_taken_is_refused(db, aracaju):
    Domain.objects.create(domain="lagarto.localhost", tenant=aracaju, is_primary=False)

    with pytest.raises(ApplicationError) as error:
        signup_create(**signup_kwargs())

    assert error.value.message == "O endereço lagarto.localhost já está em uso. Escolha outro."
    assert Signup.objects.count() == 0


def test_the_email_domains_are_configurable(db, settings):
    settings.ONBOARDING_EMAIL_DOMAINS = [".se.gov.br", ".leg.br"]
    signup_create(**signup_kwargs(admin_email="camara@lagarto.se.leg.br"))
    with pytest.raises(ApplicationError) as error:
        signup_create(
            **signup_kwargs(ibge_code="2802106", slug="estancia", admin_email="x@estancia.rs.gov.br")
        )
    assert (
        error.value.message == "Use o e-mail institucional da prefeitura (terminado em .se.gov.br, .leg.br)."
    )
    assert Signup.objects.count() == 1


def test_one_open_signup_per_city_and_per_address(db):
    signup_create(**signup_kwargs())

    with pytest.raises(ApplicationError) as same_city:
        signup_create(**signup_kwargs(slug="lagarto-se"))
    with pytest.raises(ApplicationError) as same_slug:
        signup_create(**signup_kwargs(ibge_code="2802106"))

    assert same_city.value.extra["field"] == "ibge_code"
    assert same_city.value.message.startswith("Já há um cadastro em andamento para Lagarto/SE.")
    assert (same_slug.value.extra["field"], same_slug.value.message) == (
        "slug",
        "O endereço lagarto.localhost já está em uso. Escolha outro.",
    )
    assert Signup.objects.count() == 1


def test_an_expired_signup_frees_the_city_and_the_address(db):
    old, _token = signup_create(**signup_kwargs())
    Signup.objects.filter(pk=old.pk).update(verification_expires_at=timezone.now() - dt.timedelta(minutes=1))
    old.refresh_from_db()
    assert old.status == SignupStatus.PENDING_VERIFICATION
    assert signup_effective_status(old) == SignupStatus.EXPIRED  # read as expired before the daily job

    new, _token = signup_create(**signup_kwargs())

    old.refresh_from_db()
    assert old.status == SignupStatus.EXPIRED
    assert new.status == SignupStatus.PENDING_VERIFICATION


def test_the_daily_job_expires_pending_signups_past_their_deadline(db):
    late, _ = signup_create(**signup_kwargs())
    on_time, _ = signup_create(**signup_kwargs(ibge_code="2802106", slug="estancia"))
    Signup.objects.filter(pk=late.pk).update(verification_expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert signups_expire() == 1
    assert signups_expire() == 0

    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.status, on_time.status) == ("expired", "pending_verification")


def test_verify_marks_verified_and_enqueues_the_provisioning(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(onboarding_provision_task, "send_with_options", lambda **kwargs: sent.append(kwargs))
    signup, token = signup_create(**signup_kwargs())

    with django_capture_on_commit_callbacks(execute=True):
        verified = signup_verify(token=token)

    assert verified.pk == signup.pk
    signup.refresh_from_db()
    assert signup.status == SignupStatus.VERIFIED
    assert signup.verified_at is not None
    assert sent == [{"kwargs": {"signup_id": str(signup.pk)}, "schema_name": "public"}]


def test_a_used_unknown_or_expired_token_is_refused(db):
    signup, token = signup_create(**signup_kwargs())
    signup_verify(token=token)

    with pytest.raises(ApplicationError) as used:
        signup_verify(token=token)
    with pytest.raises(ApplicationError) as unknown:
        signup_verify(token="nao-existe")

    other, other_token = signup_create(**signup_kwargs(ibge_code="2802106", slug="estancia"))
    Signup.objects.filter(pk=other.pk).update(
        verification_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(ApplicationError) as expired:
        signup_verify(token=other_token)

    assert (
        used.value.message == "Este link já foi usado. Acompanhe a criação do portal pela página do cadastro."
    )
    assert unknown.value.message == (
        "Link de confirmação inválido. Ele pode ter sido substituído por um e-mail mais recente."
    )
    assert expired.value.message == "Este link de confirmação expirou. Faça o cadastro novamente."
    other.refresh_from_db()
    assert other.status == SignupStatus.PENDING_VERIFICATION


def test_resend_replaces_the_token(db, django_capture_on_commit_callbacks):
    signup, old_token = signup_create(**signup_kwargs())

    with django_capture_on_commit_callbacks(execute=True):
        new_token = signup_verification_resend(signup=signup)

    assert new_token != old_token
    assert len(mail.outbox) == 1
    assert f"/cadastro/confirmar/{new_token}/" in mail.outbox[0].body
    with pytest.raises(ApplicationError):
        signup_verify(token=old_token)
    assert signup_verify(token=new_token).pk == signup.pk

    with pytest.raises(ApplicationError) as refused:
        signup_verification_resend(signup=signup)
    assert refused.value.message == (
        "Só é possível reenviar o e-mail enquanto o cadastro aguarda a confirmação, dentro do prazo."
    )


def test_email_mask():
    assert email_mask("gabinete@lagarto.se.gov.br") == "g******e@lagarto.se.gov.br"
    assert email_mask("ab@x.gov.br") == "a*@x.gov.br"
