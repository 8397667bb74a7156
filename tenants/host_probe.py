"""The one adapter that asks a city's own domain whether Paço answers there (httpx).

`GET <scheme>://<domain>/healthz` (or to CUSTOM_DOMAIN_PROBE_CONNECT_TO with the domain as Host
header and TLS name) must answer Paço's health JSON naming the city's schema: then the CNAME, the
ingress and the certificate are all in place and the domain can become the primary host.
"""

from __future__ import annotations

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from paco.errors import ApplicationError

PROBE_SECONDS = 10.0


class HostProbeError(ApplicationError):
    """The domain does not answer as Paço for this city yet (the message says why, in Portuguese)."""


def host_schema(hostname: str) -> str:
    """The schema named by Paço's /healthz on `hostname`; HostProbeError when it does not answer so."""
    scheme = settings.CUSTOM_DOMAIN_PROBE_SCHEME
    address = settings.CUSTOM_DOMAIN_PROBE_CONNECT_TO or hostname
    try:
        with httpx.Client(timeout=PROBE_SECONDS, follow_redirects=False) as client:
            response = client.get(
                f"{scheme}://{address}/healthz",
                headers={"Host": hostname, "Accept": "application/json"},
                extensions={"sni_hostname": hostname},
            )
    except httpx.HTTPError as error:
        raise HostProbeError(
            _(
                "O endereço %(scheme)s://%(hostname)s ainda não responde (%(error)s). O registro CNAME "
                "e o certificado podem levar algumas horas; verificamos de novo automaticamente."
            )
            % {"scheme": scheme, "hostname": hostname, "error": type(error).__name__}
        ) from error
    try:
        schema = response.json().get("schema")
    except ValueError:
        schema = None
    if not isinstance(schema, str) or not schema:
        raise HostProbeError(
            _(
                "O endereço %(hostname)s responde (HTTP %(status)d), mas não pelo Paço. Confira se o "
                "registro CNAME aponta para o endereço indicado."
            )
            % {"hostname": hostname, "status": response.status_code}
        )
    return schema
