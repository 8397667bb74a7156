"""The Kubernetes manifests of infra/ match the Procfile, and the own-domain manifests are valid."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from tenants.models import CustomDomain

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "infra" / "k8s"


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def _deployment(name: str) -> dict[str, Any]:
    for path in K8S.glob("*.yaml"):
        for doc in _documents(path):
            if doc.get("kind") == "Deployment" and doc["metadata"]["name"] == name:
                return doc
    raise AssertionError(f"no Deployment {name} in infra/k8s")


def test_every_resource_of_the_kustomizations_exists():
    for directory in (K8S, K8S / "release", K8S / "custom-domains", K8S / "pix-webhook", K8S / "databases"):
        kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
        for resource in kustomization["resources"]:
            path = directory / resource
            assert path.is_file() or (path / "kustomization.yaml").is_file(), f"{directory}/{resource}"


def test_each_long_running_process_of_the_procfile_has_a_deployment():
    procfile = _procfile()
    assert set(procfile) == {"release", "web", "worker", "scheduler"}
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert {"web.yaml", "worker.yaml", "scheduler.yaml"} <= set(kustomization["resources"])

    scheduler = _deployment("paco-scheduler")
    container = scheduler["spec"]["template"]["spec"]["containers"][0]
    assert "python src/manage.py run_scheduler" in procfile["scheduler"]
    assert container["args"] == ["exec python src/manage.py run_scheduler"]
    assert (scheduler["spec"]["replicas"], scheduler["spec"]["strategy"]["type"]) == (1, "Recreate")
    assert [source for source in container["envFrom"]] == [
        {"configMapRef": {"name": "paco-config"}},
        {"secretRef": {"name": "paco-secrets"}},
    ]
    assert scheduler["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    labels = scheduler["spec"]["template"]["metadata"]["labels"]
    assert scheduler["spec"]["selector"]["matchLabels"] == labels

    # the workers leave the ticking to the scheduler, as the Procfile's worker line does
    assert "SCHEDULER_ENABLED=false" in procfile["worker"]
    worker = _deployment("paco-worker")["spec"]["template"]["spec"]["containers"][0]
    assert {"name": "SCHEDULER_ENABLED", "value": "false"} in worker["env"]


def test_the_release_job_and_every_pod_reach_every_cluster():
    """Issue 19: the Secret's DATABASE_URL and each TENANT_DATABASES cluster name a Service of
    databases/, which both the long-running part and the release Job apply; the Job runs the
    Procfile's release line (migrate_schemas --shared, then release_migrate over every cluster)."""
    from urllib.parse import urlsplit

    from paco.settings.database import tenant_databases

    secret = _documents(K8S / "secret.example.yaml")[0]["stringData"]
    urls = [secret["DATABASE_URL"], *tenant_databases(secret["TENANT_DATABASES"]).values()]
    services = {
        doc["metadata"]["name"]: doc
        for doc in _documents(K8S / "databases" / "services.yaml")
        if doc["kind"] == "Service"
    }
    assert len(urls) >= 2
    assert sorted(urlsplit(url).hostname for url in urls) == sorted(services)
    for service in services.values():
        assert service["spec"]["type"] == "ExternalName"
    for directory, reference in ((K8S, "databases"), (K8S / "release", "../databases")):
        assert reference in yaml.safe_load((directory / "kustomization.yaml").read_text())["resources"]

    job = _documents(K8S / "release" / "job.yaml")[0]
    container = job["spec"]["template"]["spec"]["containers"][0]
    release = _procfile()["release"].split("; ", 1)[1]
    assert " ".join(container["args"][0].split()) == release
    assert {"secretRef": {"name": "paco-secrets"}} in container["envFrom"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("directory", ["", "release", "custom-domains", "pix-webhook", "databases"])
def test_kustomize_builds(directory: str):
    built = subprocess.run(  # noqa: S603
        [shutil.which("kubectl") or "kubectl", "kustomize", str(K8S / directory)],
        capture_output=True,
        text=True,
        check=True,
    )
    kinds = [doc["kind"] for doc in yaml.safe_load_all(built.stdout) if doc]
    assert kinds


def test_the_pix_webhook_ingresses_ask_a_client_certificate_and_open_only_the_webhook():
    """Mutual TLS at ingress-nginx for the PSPs (infra/nginx/paco.conf's `<slug>.pix.` server)."""
    ingresses = _documents(K8S / "pix-webhook" / "ingress.yaml")
    assert [doc["metadata"]["name"] for doc in ingresses] == [
        "paco-pix-webhook-aracaju",
        "paco-pix-webhook-gravatai",
    ]
    for ingress in ingresses:
        slug = ingress["metadata"]["labels"]["paco.example/municipality"]
        annotations = ingress["metadata"]["annotations"]
        assert annotations["nginx.ingress.kubernetes.io/auth-tls-verify-client"] == "on"
        assert annotations["nginx.ingress.kubernetes.io/auth-tls-secret"].endswith("/psp-client-cas")
        assert annotations["nginx.ingress.kubernetes.io/upstream-vhost"] == f"{slug}.paco.example"
        [rule] = ingress["spec"]["rules"]
        assert rule["host"] == f"{slug}.pix.paco.example"
        assert [(path["path"], path["pathType"]) for path in rule["http"]["paths"]] == [
            ("/api/v1/payments/psp/pix", "Exact")
        ]
        assert ingress["spec"]["tls"] == [{"hosts": [rule["host"]], "secretName": "paco-pix-tls"}]


def test_the_own_domain_manifests_cover_each_verified_domain(aracaju: Any, gravatai: Any, capsys: Any):
    CustomDomain.objects.filter(hostname="servicos.aracaju.se.gov.br").update(verified_at=timezone.now())

    call_command("custom_domain_manifests")

    documents = [doc for doc in yaml.safe_load_all(capsys.readouterr().out) if doc]
    assert [(doc["kind"], doc["metadata"]["name"]) for doc in documents] == [
        ("Certificate", "paco-domain-servicos-aracaju-se-gov-br"),
        ("Ingress", "paco-domain-servicos-aracaju-se-gov-br"),
    ]
    certificate, ingress = documents
    assert certificate["spec"]["dnsNames"] == ["servicos.aracaju.se.gov.br"]
    assert certificate["spec"]["issuerRef"] == {"kind": "Issuer", "name": "paco-letsencrypt"}
    assert ingress["spec"]["tls"] == [
        {"hosts": ["servicos.aracaju.se.gov.br"], "secretName": "paco-domain-servicos-aracaju-se-gov-br-tls"}
    ]
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "servicos.aracaju.se.gov.br"
    assert rule["http"]["paths"][0]["backend"]["service"] == {"name": "paco-web", "port": {"name": "http"}}
    # the committed example has the same shape as the command's output
    example = [doc for doc in _documents(K8S / "custom-domains" / "domains.yaml")]
    assert [doc["kind"] for doc in example] == ["Certificate", "Ingress"]
    assert example[0]["spec"] == certificate["spec"]


# ingress-nginx's own names for a verified client certificate (it sets them only where it asked for
# one), and the names Paço reads (settings PAYMENTS_WEBHOOK_CLIENT_*_HEADER)
CLIENT_CERTIFICATE_HEADERS = {
    "ssl-client-verify",
    "ssl-client-subject-dn",
    "ssl-client-issuer-dn",
    "ssl-client-cert",
}
SNIPPET = "nginx.ingress.kubernetes.io/configuration-snippet"


def _headers_cleared(ingress: dict[str, Any]) -> set[str]:
    """The request headers the Ingress's snippet sets to "" (nginx then does not pass them on)."""
    snippet = ingress["metadata"].get("annotations", {}).get(SNIPPET, "")
    cleared = set()
    for line in snippet.splitlines():
        words = line.strip().rstrip(";").split()
        if len(words) == 3 and words[0] == "proxy_set_header" and words[2] in ('""', "''"):
            cleared.add(words[1].lower())
    return cleared


def _client_certificate_headers() -> set[str]:
    from django.conf import settings

    return CLIENT_CERTIFICATE_HEADERS | {
        settings.PAYMENTS_WEBHOOK_CLIENT_VERIFY_HEADER.lower(),
        settings.PAYMENTS_WEBHOOK_CLIENT_SUBJECT_HEADER.lower(),
    }


def test_every_ingress_from_the_internet_drops_forged_client_certificate_headers(aracaju: Any, capsys: Any):
    """Only the PSP webhook's Ingress verifies a client certificate (and ingress-nginx sets the headers
    there itself); every other Ingress must clear them, or `Ssl-Client-Verify: SUCCESS` sent by anyone
    would reach Paço. The main Ingress (the cities and the control plane), the committed own-domain
    example and what `custom_domain_manifests` writes are all read."""
    main = [doc for doc in _documents(K8S / "ingress.yaml") if doc["kind"] == "Ingress"]
    assert [doc["metadata"]["name"] for doc in main] == ["paco-web"]
    [ingress] = main
    hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
    assert hosts == ["paco.example", "*.paco.example"]
    assert all(
        path["backend"]["service"] == {"name": "paco-web", "port": {"name": "http"}}
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    )
    assert "ingress.yaml" in yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]

    CustomDomain.objects.filter(hostname="servicos.aracaju.se.gov.br").update(verified_at=timezone.now())
    call_command("custom_domain_manifests")
    generated = [doc for doc in yaml.safe_load_all(capsys.readouterr().out) if doc]

    required = _client_certificate_headers()
    checked = []
    for path in sorted(K8S.rglob("*.yaml")):
        for doc in _documents(path):
            if doc.get("kind") != "Ingress":
                continue
            annotations = doc["metadata"].get("annotations", {})
            if annotations.get("nginx.ingress.kubernetes.io/auth-tls-verify-client") == "on":
                # the PSP webhook: ingress-nginx sets the headers from the certificate it verified
                assert SNIPPET not in annotations, doc["metadata"]["name"]
                continue
            checked.append(doc["metadata"]["name"])
            missing = required - _headers_cleared(doc)
            assert not missing, (
                f"{path.relative_to(ROOT)} {doc['metadata']['name']} passes on {sorted(missing)}"
            )
    assert {"paco-web", "paco-domain-servicos-aracaju-se-gov-br"} <= set(checked)
    for doc in generated:
        if doc["kind"] == "Ingress":
            assert not required - _headers_cleared(doc), doc["metadata"]["name"]


def test_the_header_check_notices_an_ingress_that_stops_clearing():
    """The check above reads the snippet line by line: a missing or non-empty header is noticed."""
    [ingress] = [doc for doc in _documents(K8S / "ingress.yaml") if doc["kind"] == "Ingress"]
    assert _client_certificate_headers() <= _headers_cleared(ingress)
    snippet = ingress["metadata"]["annotations"][SNIPPET]
    ingress["metadata"]["annotations"][SNIPPET] = snippet.replace(
        'proxy_set_header ssl-client-verify "";',
        "proxy_set_header ssl-client-verify $http_ssl_client_verify;",
    )
    assert "ssl-client-verify" not in _headers_cleared(ingress)
    del ingress["metadata"]["annotations"][SNIPPET]
    assert _headers_cleared(ingress) == set()
