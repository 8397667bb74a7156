"""The one adapter to DNS (dnspython): the TXT records of a name, for the custom-domain check.

Resolvers come from settings (CUSTOM_DOMAIN_DNS_SERVERS, CUSTOM_DOMAIN_DNS_PORT); empty means the
system's (/etc/resolv.conf). Tests point it at a local DNS server that checks the query we send
(tests/tenants/dns_server.py).
"""

from __future__ import annotations

import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver
from django.conf import settings
from django.utils.translation import gettext as _

from paco.errors import ApplicationError


class DnsLookupError(ApplicationError):
    """The lookup itself failed (timeout, no server answered): nothing can be said about the record."""


def _resolver() -> dns.resolver.Resolver:
    servers = list(settings.CUSTOM_DOMAIN_DNS_SERVERS)
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = servers
    resolver.port = settings.CUSTOM_DOMAIN_DNS_PORT
    resolver.timeout = settings.CUSTOM_DOMAIN_DNS_TIMEOUT_SECONDS
    resolver.lifetime = settings.CUSTOM_DOMAIN_DNS_TIMEOUT_SECONDS
    # never a cached answer: the admin just created the record and clicked "Verificar agora"
    resolver.cache = None
    return resolver


def txt_records(name: str) -> list[str]:
    """The strings of every TXT record at `name` (the parts of a split record joined), [] if none."""
    try:
        answer = _resolver().resolve(dns.name.from_text(name), dns.rdatatype.TXT, search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.resolver.NoNameservers as error:
        raise DnsLookupError(
            _("Os servidores DNS do domínio não responderam à consulta (%(error)s). Tente mais tarde.")
            % {"error": type(error).__name__}
        ) from error
    except dns.exception.Timeout as error:
        raise DnsLookupError(
            _("A consulta ao DNS demorou demais e foi interrompida. Tente mais tarde.")
        ) from error
    except dns.exception.DNSException as error:
        raise DnsLookupError(
            _("A consulta ao DNS falhou (%(error)s).") % {"error": type(error).__name__}
        ) from error
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
