"""A city's own domain (issue 18): add, prove control by DNS TXT, become the primary host once Paço
answers on it, redirect the old subdomain.

The DNS check goes through the one adapter (tenants.dns_lookup, dnspython's real resolver) to a
local DNS server on a thread (tests/tenants/dns_server.py) that records the exact query; the
"does Paço answer there" check (tenants.host_probe, httpx) to a local HTTP server that records the
Host it was asked for (tests/tenants/probe_server.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from paco.errors import ApplicationError
from paco.scheduler import periodic_jobs
from tenant_apps.notifications.delivery import notification_deliver
from tenant_apps.notifications.models import Notification
from tenant_apps.org.selectors import municipal_admin_emails
from tenants.models import CustomDomain, Domain
from tenants.selectors import (
    custom_domain_txt_value,
    municipality_base_url,
    municipality_primary_hostname,
)
from tenants.services import (
    custom_domain_add,
    custom_domain_normalize,
    custom_domain_verify,
    custom_domains_verify_pending,
)
from tests.conftest import client_for
from tests.tenants.dns_server import LocalDnsServer, Query
from tests.tenants.probe_server import ProbeServer

HOST = "servicos.aracaju.se.gov.br"
TXT_NAME = f"_paco-verificacao.{HOST}"


@pytest.fixture(scope="session")
def dns_server() -> Iterator[LocalDnsServer]:
    server = LocalDnsServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def probe_server() -> Iterator[ProbeServer]:
    server = ProbeServer().start()
    yield server
    server.stop()


@pytest.fixture
def probe(probe_server: ProbeServer, settings: Any) -> Iterator[ProbeServer]:
    """The domain as the ingress serves it: answers as Paço for Aracaju unless told otherwise."""
    settings.CUSTOM_DOMAIN_PROBE_SCHEME = "http"
    settings.CUSTOM_DOMAIN_PROBE_CONNECT_TO = f"127.0.0.1:{probe_server.port}"
    probe_server.reset()
    probe_server.schema = "aracaju"
    yield probe_server
    probe_server.reset()


@pytest.fixture
def dns(dns_server: LocalDnsServer, probe: ProbeServer, settings: Any) -> Iterator[LocalDnsServer]:
    settings.CUSTOM_DOMAIN_DNS_SERVERS = ["127.0.0.1"]
    settings.CUSTOM_DOMAIN_DNS_PORT = dns_server.port
    settings.CUSTOM_DOMAIN_DNS_TIMEOUT_SECONDS = 3.0
    settings.ALLOWED_HOSTS = ["*"]  # as in production with own domains (infra/k8s/configmap.yaml)
    dns_server.reset()
    yield dns_server
    dns_server.reset()


def _pending(aracaju: Any, hostname: str = HOST) -> CustomDomain:
    CustomDomain.objects.filter(municipality=aracaju).delete()  # the demo's pending example
    return custom_domain_add(municipality=aracaju, hostname=hostname)


def _publish(dns: LocalDnsServer, row: CustomDomain) -> None:
    dns.resolver.records[TXT_NAME] = ["v=spf1 -all", custom_domain_txt_value(row.token)]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("192.168.0.10", "não um endereço IP"),
        ("[2001:db8::1]", "não um endereço IP"),
        ("servicos.aracaju.com.br", "terminado em .gov.br"),
        ("gov.br", "não é um nome de domínio válido"),
        (".gov.br", "não é um nome de domínio válido"),
        ("servicos..aracaju.se.gov.br", "não é um nome de domínio válido"),
        ("-servicos.aracaju.se.gov.br", "não é um nome de domínio válido"),
        ("https://servicos.aracaju.se.gov.br/portal", "sem caminho"),
        ("servicos.aracaju.se.gov.br:8443", "sem caminho, porta"),
        ("", "Informe o domínio"),
    ],
)
def test_bad_domains_are_refused_in_portuguese(raw: str, message: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        custom_domain_normalize(raw=raw)
    assert message in refused.value.message
    assert refused.value.extra == {"field": "hostname"}


def test_a_domain_is_normalised(settings: Any) -> None:
    assert (
        custom_domain_normalize(raw="  HTTPS://Serviços.Aracaju.SE.gov.br./ ")
        == "xn--servios-yxa.aracaju.se.gov.br"
    )
    settings.TENANT_DOMAIN_SUFFIX = "paco.se.gov.br"
    with pytest.raises(ApplicationError, match="já é um endereço do Paço"):
        custom_domain_normalize(raw="gravatai.paco.se.gov.br")
    settings.CUSTOM_DOMAIN_REQUIRED_SUFFIX = ""  # a deployment that accepts any domain
    assert custom_domain_normalize(raw="portal.exemplo.com") == "portal.exemplo.com"


def test_a_domain_of_another_city_is_refused_and_nothing_saved(aracaju: Any, gravatai: Any) -> None:
    # the demo's pending domain of Gravataí, and a verified one
    Domain.objects.create(domain="portal.gravatai.rs.gov.br", tenant=gravatai, is_primary=False)
    before = CustomDomain.objects.count()

    for hostname in ("servicos.gravatai.rs.gov.br", "portal.gravatai.rs.gov.br", "gravatai.localhost"):
        with pytest.raises(ApplicationError) as refused:
            custom_domain_add(municipality=aracaju, hostname=hostname)
        assert refused.value.message in (
            f"O domínio {hostname} já está cadastrado para outro município.",
            f"{hostname} já é um endereço do Paço; informe o domínio da prefeitura.",
        )
    assert CustomDomain.objects.count() == before


def test_the_admin_adds_a_domain_and_sees_the_records_to_create(aracaju: Any) -> None:
    CustomDomain.objects.filter(municipality=aracaju).delete()
    admin = client_for("admin", aracaju)

    response = admin.post("/admin-municipal/dominio/", {"hostname": "Servicos.Aracaju.SE.gov.br"})

    assert response.status_code == 302
    row = CustomDomain.objects.get(municipality=aracaju)
    assert (row.hostname, row.verified_at, len(row.token)) == (HOST, None, 32)
    page = admin.get("/admin-municipal/dominio/").content.decode()
    assert TXT_NAME in page
    assert f"paco-verificacao={row.token}" in page
    assert "aracaju.localhost" in page  # the CNAME's target
    assert "aguardando verificação" in page


def test_bad_input_on_the_page_is_a_portuguese_error_and_changes_nothing(aracaju: Any) -> None:
    CustomDomain.objects.filter(municipality=aracaju).delete()
    admin = client_for("admin", aracaju)

    response = admin.post("/admin-municipal/dominio/", {"hostname": "10.0.0.1"})

    assert response.status_code == 400
    assert "Informe um nome de domínio, não um endereço IP" in response.content.decode()
    assert not CustomDomain.objects.filter(municipality=aracaju).exists()


def test_the_check_sends_one_txt_query_for_the_verification_name(
    aracaju: Any, dns: LocalDnsServer, probe: ProbeServer
) -> None:
    row = _pending(aracaju)

    row = custom_domain_verify(custom_domain_id=row.pk)

    assert dns.resolver.queries == [
        Query(name=f"{TXT_NAME}.", qtype="TXT", qclass=1, recursion_desired=True, opcode=0)
    ]
    assert row.verified_at is None
    assert row.checks == 1
    assert row.last_error == f"Nenhum registro TXT encontrado em {TXT_NAME}."
    assert municipality_primary_hostname(aracaju) == "aracaju.localhost"
    assert probe.requests == []  # no HTTP check before the DNS proof


def test_a_wrong_code_or_a_failing_server_leaves_it_pending(aracaju: Any, dns: LocalDnsServer) -> None:
    row = _pending(aracaju)
    dns.resolver.records[TXT_NAME] = ["paco-verificacao=outro-codigo"]

    row = custom_domain_verify(custom_domain_id=row.pk)
    assert row.last_error == f"Há registro TXT em {TXT_NAME}, mas nenhum com o código esperado."

    dns.resolver.mode = "servfail"
    row = custom_domain_verify(custom_domain_id=row.pk)
    assert row.last_error.startswith("Os servidores DNS do domínio não responderam à consulta")
    assert (row.verified_at, row.checks) == (None, 2)
    assert not Domain.objects.filter(domain=HOST).exists()


def test_verified_and_answering_it_becomes_the_primary_host_once(
    aracaju: Any, dns: LocalDnsServer, probe: ProbeServer, django_capture_on_commit_callbacks: Any
) -> None:
    row = _pending(aracaju)
    _publish(dns, row)

    with django_capture_on_commit_callbacks(execute=True):
        row = custom_domain_verify(custom_domain_id=row.pk)
    serving_at = row.serving_at
    again = custom_domain_verify(custom_domain_id=row.pk)  # idempotent: no query, no change

    assert serving_at is not None
    assert row.verified_at == serving_at
    assert (again.verified_at, again.serving_at, again.last_error) == (serving_at, serving_at, "")
    assert len(dns.resolver.queries) == 1
    assert probe.requests == [("GET", "/healthz", HOST)]
    assert list(
        Domain.objects.filter(tenant=aracaju).order_by("domain").values_list("domain", "is_primary")
    ) == [
        ("aracaju.localhost", False),
        (HOST, True),
    ]
    # links in e-mails and PDFs are built from the primary host
    assert municipality_base_url(aracaju).startswith(f"http://{HOST}")
    # the city's admins got one e-mail (and an inbox note), the notifications module's editable text
    with tenant_context(aracaju):
        sent = Notification.objects.filter(template_key="custom_domain_verified")
        assert sorted(sent.values_list("channel", "address")) == sorted(
            [("email", email) for email in municipal_admin_emails()]
            + [("inbox", "")] * len(municipal_admin_emails())
        )
        email = sent.get(channel="email")
        notification_deliver(notification_id=email.pk)
    assert mail.outbox[-1].to == [email.address]
    assert mail.outbox[-1].subject == f"Domínio {HOST} verificado"
    assert f"O registro TXT de {HOST} foi encontrado" in mail.outbox[-1].body
    assert email.link_url == "/admin-municipal/dominio/"


def test_verified_but_not_answering_as_paco_it_is_served_but_not_primary(
    aracaju: Any, dns: LocalDnsServer, probe: ProbeServer, django_capture_on_commit_callbacks: Any
) -> None:
    row = _pending(aracaju)
    _publish(dns, row)
    probe.schema = ""  # the name reaches some other web server (CNAME not changed yet)

    with django_capture_on_commit_callbacks(execute=True):
        row = custom_domain_verify(custom_domain_id=row.pk)

    assert (row.verified_at is not None, row.serving_at) == (True, None)
    assert row.last_error == (
        f"O endereço {HOST} responde (HTTP 200), mas não pelo Paço. Confira se o registro CNAME aponta "
        "para o endereço indicado."
    )
    assert list(
        Domain.objects.filter(tenant=aracaju).order_by("domain").values_list("domain", "is_primary")
    ) == [
        ("aracaju.localhost", True),
        (HOST, False),
    ]
    visitor = Client()
    assert visitor.get("/servicos/", HTTP_HOST="aracaju.localhost").status_code == 200  # no redirect yet
    assert visitor.get("/servicos/", HTTP_HOST=HOST).status_code == 200  # the ingress can be set up

    probe.schema = "gravatai"  # answered by Paço, but for another city
    row = custom_domain_verify(custom_domain_id=row.pk)
    assert row.serving_at is None
    assert "responde pelo Paço, mas não por esta prefeitura" in row.last_error

    probe.schema = "aracaju"
    with django_capture_on_commit_callbacks(execute=True):
        row = custom_domain_verify(custom_domain_id=row.pk)
    assert row.serving_at is not None
    assert len(dns.resolver.queries) == 1  # the DNS proof is not asked again
    assert municipality_primary_hostname(aracaju) == HOST


def test_the_old_subdomain_redirects_pages_but_not_the_api_or_posts(
    aracaju: Any,
    dns: LocalDnsServer,
    django_capture_on_commit_callbacks: Any,
    django_assert_num_queries: Any,
    settings: Any,
) -> None:
    row = _pending(aracaju)
    _publish(dns, row)
    visitor = Client()
    assert visitor.get("/servicos/", HTTP_HOST="aracaju.localhost").status_code == 200  # cached: no redirect
    with django_capture_on_commit_callbacks(execute=True):
        custom_domain_verify(custom_domain_id=row.pk)

    page = visitor.get("/servicos/?q=alvar%C3%A1&pagina=2", HTTP_HOST="aracaju.localhost")
    with_port = visitor.get("/verificar/", HTTP_HOST="aracaju.localhost:8000")

    assert page.status_code == 301
    assert page["Location"] == f"http://{HOST}/servicos/?q=alvar%C3%A1&pagina=2"
    with django_assert_num_queries(0):  # host and redirect target come from the cache
        assert visitor.get("/ouvidoria/", HTTP_HOST="aracaju.localhost").status_code == 301
    assert with_port["Location"] == f"http://{HOST}:8000/verificar/"
    settings.SECURE_SSL_REDIRECT = True  # production: straight to HTTPS, default port dropped
    assert visitor.get("/servicos/", HTTP_HOST="aracaju.localhost")["Location"] == f"https://{HOST}/servicos/"
    settings.SECURE_SSL_REDIRECT = False
    assert visitor.get("/servicos/", HTTP_HOST=HOST).status_code == 200
    # the API, webhooks, the health check and POSTs keep working on the old host
    assert visitor.get("/api/v1/services/", HTTP_HOST="aracaju.localhost").status_code != 301
    assert visitor.get("/open311/v2/services.json", HTTP_HOST="aracaju.localhost").status_code != 301
    assert visitor.get("/healthz", HTTP_HOST="aracaju.localhost").status_code != 301
    assert visitor.post("/ouvidoria/acompanhar/", {}, HTTP_HOST="aracaju.localhost").status_code != 301
    # another city is untouched
    assert visitor.get("/servicos/", HTTP_HOST="gravatai.localhost").status_code == 200


def test_govbr_redirect_uri_is_on_the_primary_host(
    aracaju: Any, dns: LocalDnsServer, django_capture_on_commit_callbacks: Any
) -> None:
    row = _pending(aracaju)
    _publish(dns, row)
    with django_capture_on_commit_callbacks(execute=True):
        custom_domain_verify(custom_domain_id=row.pk)
    admin = client_for("admin", aracaju)

    # a POST on the old host is served there, and still names the primary host's callback
    page = admin.post("/admin-municipal/govbr/", {}, HTTP_HOST="aracaju.localhost").content.decode()
    on_primary = admin.get("/admin-municipal/govbr/", HTTP_HOST=HOST).content.decode()

    assert f"http://{HOST}/entrar/govbr/retorno/" in page
    assert f"http://{HOST}/entrar/govbr/retorno/" in on_primary
    assert "aracaju.localhost/entrar/govbr/retorno/" not in page


def test_removing_the_primary_domain_brings_the_subdomain_back(
    aracaju: Any, dns: LocalDnsServer, django_capture_on_commit_callbacks: Any
) -> None:
    row = _pending(aracaju)
    _publish(dns, row)
    with django_capture_on_commit_callbacks(execute=True):
        custom_domain_verify(custom_domain_id=row.pk)
    admin = client_for("admin", aracaju)

    unconfirmed = admin.post(f"/admin-municipal/dominio/{row.pk}/remover/", HTTP_HOST=HOST, follow=True)
    assert "o endereço principal, marque a confirmação" in unconfirmed.content.decode()
    assert CustomDomain.objects.filter(pk=row.pk).exists()
    assert (
        "Entendo que o portal volta a ser servido"
        in admin.get("/admin-municipal/dominio/", HTTP_HOST=HOST).content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            f"/admin-municipal/dominio/{row.pk}/remover/", {"confirm": "on"}, HTTP_HOST=HOST
        )

    assert response.status_code == 302
    assert response["Location"] == "http://aracaju.localhost/admin-municipal/dominio/"
    assert not CustomDomain.objects.filter(pk=row.pk).exists()
    assert list(Domain.objects.filter(tenant=aracaju).values_list("domain", "is_primary")) == [
        ("aracaju.localhost", True)
    ]
    assert Client().get("/servicos/", HTTP_HOST="aracaju.localhost").status_code == 200
    assert Client().get("/servicos/", HTTP_HOST=HOST).status_code == 404  # no longer ours


def test_the_verify_button_checks_now_and_says_why_not(aracaju: Any, dns: LocalDnsServer) -> None:
    row = _pending(aracaju)
    admin = client_for("admin", aracaju)

    refused = admin.post(f"/admin-municipal/dominio/{row.pk}/verificar/", follow=True).content.decode()
    _publish(dns, row)
    accepted = admin.post(f"/admin-municipal/dominio/{row.pk}/verificar/", follow=True)

    assert "ainda não foi verificado. Nenhum registro TXT encontrado" in refused
    assert "agora é o endereço principal da prefeitura" in accepted.content.decode()
    assert CustomDomain.objects.get(pk=row.pk).serving_at is not None


def test_another_citys_admin_cannot_verify_or_remove_it(
    aracaju: Any, gravatai: Any, dns: LocalDnsServer
) -> None:
    row = _pending(aracaju)
    _publish(dns, row)
    intruder = client_for("admin", gravatai)

    for action in ("verificar", "remover"):
        response = intruder.post(f"/admin-municipal/dominio/{row.pk}/{action}/")
        assert response.status_code == 404
    assert CustomDomain.objects.get(pk=row.pk).verified_at is None
    assert dns.resolver.queries == []
    assert Domain.objects.filter(domain=HOST).count() == 0


def test_the_periodic_job_checks_recent_pending_domains(
    aracaju: Any, gravatai: Any, dns: LocalDnsServer
) -> None:
    recent = _pending(aracaju)
    stale = CustomDomain.objects.get(hostname="servicos.gravatai.rs.gov.br")
    CustomDomain.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    _publish(dns, recent)

    assert custom_domains_verify_pending() == 1
    assert custom_domains_verify_pending() == 0  # nothing left to verify: no new query

    assert [query.name for query in dns.resolver.queries] == [f"{TXT_NAME}."]
    assert CustomDomain.objects.get(pk=stale.pk).last_checked_at is None
    job = next(entry for entry in periodic_jobs() if entry["name"] == "custom-domains-verify")
    assert (job["actor"], job["every"], job["per_tenant"]) == (
        "tenants.tasks.custom_domains_verify_task",
        "minutes",
        False,
    )


def test_vendor_support_sees_each_citys_domains(aracaju: Any) -> None:
    row = _pending(aracaju)
    CustomDomain.objects.filter(pk=row.pk).update(
        last_checked_at=timezone.now(), last_error="Nenhum registro TXT"
    )

    page = client_for("support", aracaju).get(f"/suporte/municipios/{aracaju.pk}/").content.decode()

    assert f"<code>{HOST}</code> (aguardando verificação" in page
    assert "Nenhum registro TXT" in page


def test_an_unknown_host_is_still_refused_when_any_host_is_allowed(settings: Any, db: Any) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    response = Client().get("/", HTTP_HOST="phishing.example.com")
    assert response.status_code == 404
    pending = Client().get("/", HTTP_HOST="servicos.aracaju.se.gov.br")  # the demo's, pending
    assert pending.status_code == 404
    assert "foi cadastrado por uma prefeitura, mas ainda não foi verificado" in pending.content.decode()
    assert "Não há nenhuma prefeitura atendida pelo Paço" in response.content.decode()


def test_each_demo_city_has_a_pending_domain(aracaju: Any, gravatai: Any) -> None:
    rows = CustomDomain.objects.filter(municipality__in=[aracaju, gravatai]).order_by("hostname")
    assert [(row.hostname, row.verified_at) for row in rows] == [
        ("servicos.aracaju.se.gov.br", None),
        ("servicos.gravatai.rs.gov.br", None),
    ]


def test_a_domain_that_does_not_answer_yet_says_so(aracaju: Any, dns: LocalDnsServer, settings: Any) -> None:
    row = _pending(aracaju)
    _publish(dns, row)
    settings.CUSTOM_DOMAIN_PROBE_CONNECT_TO = "127.0.0.1:9"  # nothing listens: connection refused

    row = custom_domain_verify(custom_domain_id=row.pk)

    assert (row.verified_at is not None, row.serving_at) == (True, None)
    assert row.last_error == (
        f"O endereço http://{HOST} ainda não responde (ConnectError). O registro CNAME e o certificado "
        "podem levar algumas horas; verificamos de novo automaticamente."
    )


def test_a_city_has_at_most_five_own_domains(aracaju: Any) -> None:
    for number in range(4):  # besides the demo's pending one
        custom_domain_add(municipality=aracaju, hostname=f"portal{number}.aracaju.se.gov.br")

    with pytest.raises(ApplicationError, match="até 5 domínios próprios"):
        custom_domain_add(municipality=aracaju, hostname="mais.aracaju.se.gov.br")
    assert CustomDomain.objects.filter(municipality=aracaju).count() == 5
