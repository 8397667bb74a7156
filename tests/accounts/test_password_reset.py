import re

from django.core import mail
from django.test import Client

from paco_demo import cities as demo
from tenant_apps.accounts.enums import UserKind
from tenant_apps.accounts.models import User
from tenant_apps.accounts.services import citizen_ensure_at_counter

NEW_PASSWORD = "Outra#Senha2026"


def _reset_link(client: Client, email: str) -> str:
    response = client.post("/senha/esqueci/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/senha/esqueci/enviado/"
    return re.search(r"http://aracaju\.localhost(/senha/nova/\S+/)", mail.outbox[-1].body).group(1)


def test_citizen_resets_the_password_once_with_the_emailed_link(db):
    client = Client(HTTP_HOST="aracaju.localhost")

    link = _reset_link(client, demo.DEMO_CITIZEN["email"])
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    reused = client.get(link, follow=True)

    assert mail.outbox[-1].to == [demo.DEMO_CITIZEN["email"]]
    assert "Nova senha" in mail.outbox[-1].subject
    assert done.status_code == 302
    assert done["Location"] == "/senha/alterada/"
    assert User.objects.get(email=demo.DEMO_CITIZEN["email"]).check_password(NEW_PASSWORD)
    assert "Este link não vale mais" in reused.content.decode()


def test_unknown_email_gets_the_same_answer_and_no_mail(db):
    client = Client(HTTP_HOST="aracaju.localhost")

    response = client.post("/senha/esqueci/", {"email": "ninguem@exemplo.com.br"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_is_rate_limited_per_email(db):
    client = Client(HTTP_HOST="aracaju.localhost")
    for _attempt in range(3):
        client.post("/senha/esqueci/", {"email": "servidor@aracaju.se.gov.br"})

    limited = client.post("/senha/esqueci/", {"email": "servidor@aracaju.se.gov.br"})

    assert limited.status_code == 429
    assert "Foram feitos muitos pedidos" in limited.content.decode()
    assert len(mail.outbox) == 3


def test_login_pages_link_to_password_reset(db):
    client = Client(HTTP_HOST="aracaju.localhost")

    for path in ("/entrar/", "/staff/entrar/"):
        assert 'href="/senha/esqueci/"' in client.get(path).content.decode()


def test_a_citizen_registered_at_the_counter_sets_a_first_password_as_the_signup_email_advises(
    in_aracaju, mailoutbox, django_capture_on_commit_callbacks
):
    # given a citizen whom staff registered at the counter: an account without a password
    counter = citizen_ensure_at_counter(
        cpf="386.120.547-53", full_name="Maria do Balcão", email="maria.balcao@exemplo.com.br"
    )
    assert not counter.has_usable_password()

    # when she signs up on the web with her e-mail, she is told to choose a password
    client = Client(HTTP_HOST="aracaju.localhost")
    with django_capture_on_commit_callbacks(execute=True):
        signup = client.post(
            "/cadastro/",
            {
                "full_name": "Maria do Balcão",
                "cpf": "386.120.547-53",
                "email": "maria.balcao@exemplo.com.br",
                "phone": "(79) 99999-0000",
                "password": "Sergipe#2026forte",
                "password_confirmation": "Sergipe#2026forte",
                "consent": "on",
            },
        )
    assert signup.status_code == 302
    advice = mailoutbox[-1].body
    assert "/senha/esqueci/" in advice
    # and she follows the advice: the link arrives and sets her first password
    link = _reset_link(client, "Maria.Balcao@exemplo.com.br")
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    # then she logs in with it, and the account is the one staff created (her cases stay hers)
    assert mailoutbox[-1].to == ["maria.balcao@exemplo.com.br"]
    assert done.status_code == 302
    counter.refresh_from_db()
    assert counter.check_password(NEW_PASSWORD)
    login = Client(HTTP_HOST="aracaju.localhost").post(
        "/entrar/", {"email": "maria.balcao@exemplo.com.br", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302
    assert User.objects.filter(cpf="38612054753").count() == 1


def test_no_reset_mail_for_placeholder_addresses_inactive_accounts_or_support(in_aracaju, mailoutbox):
    # given a counter citizen without e-mail (a placeholder address) and an account never activated
    without_email = citizen_ensure_at_counter(cpf="274.019.366-15", full_name="Sem E-mail")
    never_activated = User.objects.create(
        email="nunca.ativou@exemplo.com.br", full_name="Nunca Ativou", kind=UserKind.CITIZEN, is_active=False
    )
    client = Client(HTTP_HOST="aracaju.localhost")

    # when a reset is asked for each
    answers = [
        client.post("/senha/esqueci/", {"email": account.email}).status_code
        for account in (without_email, never_activated)
    ]

    # then the same answer as always, and no e-mail
    assert answers == [302, 302]
    assert without_email.email.endswith("@balcao.invalid")
    assert mailoutbox == []
