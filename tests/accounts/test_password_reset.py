import re

from django.core import mail
from django.test import Client

from paco_demo import cities as demo
from tenant_apps.accounts.models import User

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
