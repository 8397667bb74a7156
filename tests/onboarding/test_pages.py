"""The signup pages on the control plane's host: form, check inbox, confirm, progress, payment."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from shared_apps.onboarding.enums import SignupStatus
from shared_apps.onboarding.models import Signup
from shared_apps.onboarding.selectors import ibge_municipality_list_by_uf
from shared_apps.onboarding.services import signup_create, signup_provision
from tenants.enums import State
from tests.billing.conftest import CHECKOUT_URL

from .conftest import LAGARTO, signup_form_data, signup_kwargs

HOST = "localhost"


def _client() -> Client:
    return Client(HTTP_HOST=HOST)


def _text(response) -> str:
    return response.content.decode()


def test_the_home_page_invites_to_sign_up(db):
    response = _client().get("/")

    assert response.status_code == 200
    assert '<a class="br-button primary large" href="/cadastro/">' in _text(response)
    assert "Cadastre sua prefeitura" in _text(response)


def test_the_form_shows_plans_with_fees_and_population_and_the_address_suffix(db):
    response = _client().get("/cadastro/")

    body = _text(response)
    assert response.status_code == 200
    assert "Pequeno porte (até 20.000 habitantes): R$ 1.900,00 por mês" in body
    assert "Médio porte (de 20.001 a 100.000 habitantes): R$ 4.900,00 por mês" in body
    assert "Metrópole (acima de 500.000 habitantes): R$ 29.900,00 por mês" in body
    assert "O portal ficará em <strong>endereço.localhost</strong>." in body
    assert 'hx-get="/cadastro/municipios/"' in body
    assert 'name="website"' in body


def test_the_municipality_options_of_every_uf(db):
    client = _client()
    for uf in State.values:
        response = client.get("/cadastro/municipios/", {"uf": uf})
        values = re.findall(r'<option value="(\d*)">', _text(response))
        assert response.status_code == 200
        assert values == ["", *(row.ibge_code for row in ibge_municipality_list_by_uf(uf))], uf
    sergipe = _text(client.get("/cadastro/municipios/", {"uf": "SE"}))
    assert '<option value="2800308">Aracaju</option>' in sergipe
    assert sergipe.count("<option") == 76
    assert _text(client.get("/cadastro/municipios/", {"uf": "XX"})).count("<option") == 1


def test_posting_the_form_creates_the_signup_and_sends_the_email(
    db, settings, django_capture_on_commit_callbacks
):
    settings.ONBOARDING_SHOW_VERIFICATION_LINK = False
    client = _client()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/cadastro/", signup_form_data(), REMOTE_ADDR="203.0.113.7")

    assert (response.status_code, response["Location"]) == (302, "/cadastro/enviado/")
    signup = Signup.objects.get()
    assert (signup.ibge_code, signup.slug, signup.remote_addr) == (LAGARTO, "lagarto", "203.0.113.7")
    assert len(mail.outbox) == 1
    page = _text(client.get("/cadastro/enviado/"))
    assert "Enviamos para <strong>g******e@lagarto.se.gov.br</strong>" in page
    assert "Ambiente de demonstração" not in page
    assert "/cadastro/confirmar/" not in page
    assert "Reenviar e-mail" in page


def test_the_demo_shows_the_verification_link(db, settings, django_capture_on_commit_callbacks):
    settings.ONBOARDING_SHOW_VERIFICATION_LINK = None  # automatic: DEBUG and a file or memory backend
    settings.DEBUG = True
    client = _client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/cadastro/", signup_form_data())

    page = _text(client.get("/cadastro/enviado/"))

    link = re.search(r"http://localhost:8000/cadastro/confirmar/[\w-]+/", mail.outbox[0].body).group(0)
    assert f'<a href="{link}">' in page
    assert "Os e-mails não saem daqui: ficam gravados em .data/mail/." in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"admin_cpf": "111.111.111-11"}, "CPF inválido: confira os números digitados."),
        (
            {"admin_email": "prefeito@gmail.com"},
            "Use o e-mail institucional da prefeitura (terminado em .gov.br).",
        ),
        ({"slug": "admin"}, "O endereço “admin” é reservado. Escolha outro."),
        ({"slug": "gravatai"}, "O endereço gravatai.localhost já está em uso. Escolha outro."),
        ({"ibge_code": "2800308"}, "Aracaju/SE já usa o Paço. Fale com o suporte se precisar de acesso."),
        ({"ibge_code": "2803501"}, "Código IBGE inválido: confira o município escolhido."),
        ({"website": "http://spam.example"}, "Não foi possível enviar o cadastro."),
    ],
)
def test_a_refused_form_shows_the_message_and_creates_nothing(
    db, overrides, message, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _client().post("/cadastro/", signup_form_data(**overrides))

    assert response.status_code == 400
    assert message in _text(response)
    assert Signup.objects.count() == 0
    assert mail.outbox == []


def test_at_most_five_signups_per_address_per_hour(db, settings):
    settings.ONBOARDING_SIGNUPS_PER_HOUR = 5
    client = _client()
    cities = [("2800100", "amparo"), ("2802106", "estancia"), ("2802908", "itabaiana"), (LAGARTO, "lagarto")]
    cities += [("2806701", "sao-cristovao"), ("2800308", "outra")]
    statuses = []
    for code, slug in cities[:5]:
        statuses.append(client.post("/cadastro/", signup_form_data(ibge_code=code, slug=slug)).status_code)

    refused = client.post("/cadastro/", signup_form_data(ibge_code="2804805", slug="nossa-senhora"))
    other_address = client.post(
        "/cadastro/", signup_form_data(ibge_code="2804805", slug="nossa-senhora"), REMOTE_ADDR="198.51.100.4"
    )

    assert statuses == [302] * 5
    assert refused.status_code == 429
    assert "Muitos cadastros enviados deste endereço." in _text(refused)
    assert other_address.status_code == 302
    assert Signup.objects.count() == 6


def _confirm_link(client: Client, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/cadastro/", signup_form_data())
    return re.search(r"/cadastro/confirmar/[\w-]+/", mail.outbox[-1].body).group(0)


def test_get_on_the_link_changes_nothing(db, django_capture_on_commit_callbacks):
    client = _client()
    link = _confirm_link(client, django_capture_on_commit_callbacks)
    before = Signup.objects.values().get()

    response = Client(HTTP_HOST=HOST).get(link)  # a mail scanner, say

    assert response.status_code == 200
    body = _text(response)
    assert "Lagarto/SE (IBGE 2803500)" in body
    assert "lagarto.localhost" in body
    assert "Confirmar e criar o portal" in body
    assert Signup.objects.values().get() == before


def test_post_on_the_link_confirms_and_shows_the_progress(db, django_capture_on_commit_callbacks):
    client = _client()
    link = _confirm_link(client, django_capture_on_commit_callbacks)

    response = client.post(link)

    signup = Signup.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/cadastro/{signup.pk}/")
    assert signup.status == SignupStatus.VERIFIED
    page = _text(client.get(f"/cadastro/{signup.pk}/"))
    assert 'hx-trigger="every 1s"' in page
    assert 'data-step="row" data-state="running"' in page

    used = client.post(link)
    assert used.status_code == 400
    assert "Este link já foi usado." in _text(used)
    assert f'href="/cadastro/{signup.pk}/"' in _text(used)


def test_an_unknown_link_is_a_404(db):
    assert _client().get("/cadastro/confirmar/nao-existe/").status_code == 404
    assert _client().post("/cadastro/confirmar/nao-existe/").status_code == 404


def test_resend_from_the_check_inbox_page(db, settings, django_capture_on_commit_callbacks):
    settings.ONBOARDING_RESENDS_PER_HOUR = 1
    client = _client()
    old_link = _confirm_link(client, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/cadastro/enviado/reenviar/")
        again = client.post("/cadastro/enviado/reenviar/", follow=True)

    assert (response.status_code, response["Location"]) == (302, "/cadastro/enviado/")
    assert len(mail.outbox) == 2
    new_link = re.search(r"/cadastro/confirmar/[\w-]+/", mail.outbox[1].body).group(0)
    assert new_link != old_link
    assert "Aguarde uma hora antes de pedir outro." in _text(again)
    assert client.get(old_link).status_code == 404
    assert client.get(new_link).status_code == 200
    # another browser cannot resend
    assert _client().post("/cadastro/enviado/reenviar/").status_code == 404


def _ready(client: Client, django_capture_on_commit_callbacks, **overrides) -> Signup:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/cadastro/", signup_form_data(**overrides))
    link = re.search(r"/cadastro/confirmar/[\w-]+/", mail.outbox[-1].body).group(0)
    client.post(link)
    signup = Signup.objects.get(slug="lagarto")
    return signup_provision(signup_id=signup.pk)


def test_the_ready_page_shows_the_links_to_the_confirming_session_only(
    db, no_stripe, django_capture_on_commit_callbacks
):
    client = _client()
    signup = _ready(client, django_capture_on_commit_callbacks, payment_method="card")

    own = _text(client.get(f"/cadastro/{signup.pk}/"))
    fragment = _text(client.get(f"/cadastro/{signup.pk}/estado/"))
    stranger = _text(_client().get(f"/cadastro/{signup.pk}/"))

    assert '<a class="br-button primary" href="http://lagarto.localhost:8000/">' in own
    assert '<a href="http://lagarto.localhost:8000/staff/entrar/">Entrada dos servidores</a>' in own
    assert "Enviamos para g******e@lagarto.se.gov.br o convite para criar sua senha." in own
    assert "a avaliação gratuita continua" in own
    assert "Cadastrar cartão" not in own
    for step in ("row", "schema", "branding", "org_chart", "admin", "admin_invite", "billing"):
        assert f'data-step="{step}" data-state="done"' in fragment
    assert "hx-trigger" not in fragment  # polling stops once ready
    assert "Portal pronto" in stranger
    assert "lagarto.localhost:8000" not in stranger
    assert "g******e" not in stranger
    assert "gabinete@lagarto" not in stranger


def test_card_payment_goes_to_stripe_checkout(db, stripe_server, django_capture_on_commit_callbacks):
    client = _client()
    signup = _ready(client, django_capture_on_commit_callbacks, payment_method="card")
    assert "Cadastrar cartão (Stripe Checkout)" in _text(client.get(f"/cadastro/{signup.pk}/"))

    stranger = _client().post(f"/cadastro/{signup.pk}/pagamento/")
    response = client.post(f"/cadastro/{signup.pk}/pagamento/")

    assert stranger.status_code == 404
    assert (response.status_code, response["Location"]) == (303, CHECKOUT_URL)
    session = stripe_server.requests[-1]
    assert (session.method, session.path) == ("POST", "/v1/checkout/sessions")
    assert session.params["success_url"] == f"http://localhost/cadastro/{signup.pk}/?pagamento=ok"
    assert session.params["cancel_url"] == f"http://localhost/cadastro/{signup.pk}/"
    assert "Cartão cadastrado pelo Stripe." in _text(client.get(f"/cadastro/{signup.pk}/?pagamento=ok"))


def test_payment_before_the_portal_is_ready_is_refused(db, stripe_server, django_capture_on_commit_callbacks):
    client = _client()
    link = _confirm_link(client, django_capture_on_commit_callbacks)
    client.post(link)
    signup = Signup.objects.get()

    response = client.post(f"/cadastro/{signup.pk}/pagamento/")

    assert response.status_code == 400
    assert "O pagamento por cartão estará disponível quando o portal estiver pronto." in _text(response)
    assert stripe_server.requests == []


def test_a_billing_error_points_to_the_subscription_page(
    db, stripe_server, django_capture_on_commit_callbacks
):
    stripe_server.fail_next = {"type": "api_error", "message": "indisponível"}
    client = _client()
    signup = _ready(client, django_capture_on_commit_callbacks, payment_method="boleto")

    page = _text(client.get(f"/cadastro/{signup.pk}/"))

    assert "O portal está no ar, mas não conseguimos registrar a cobrança por boleto" in page
    assert 'href="http://lagarto.localhost:8000/admin-municipal/assinatura/"' in page


def test_an_unknown_signup_is_a_404(db):
    assert _client().get("/cadastro/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert _client().get("/cadastro/00000000-0000-0000-0000-000000000000/estado/").status_code == 404


def test_signup_create_is_usable_without_the_web(db):
    signup, token = signup_create(**signup_kwargs())
    assert signup.status == SignupStatus.PENDING_VERIFICATION
    assert len(token) >= 40
