"""A local authoritative DNS server (dnslib) on a thread, for the custom-domain TXT check.

It answers TXT questions from `records`, NXDOMAIN for names it does not know, SERVFAIL for every
question when `mode == "servfail"`, and keeps every question it received in `queries`, so a test
can check the exact query Paço sends (name, type, class, recursion flag).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSLogger, DNSServer


@dataclass(frozen=True)
class Query:
    name: str
    qtype: str
    qclass: int
    recursion_desired: bool
    opcode: int


class Resolver(BaseResolver):  # type: ignore[misc]
    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.mode = ""
        self.queries: list[Query] = []
        self._lock = threading.Lock()

    def resolve(self, request, handler):  # type: ignore[no-untyped-def]
        question = request.q
        name = str(question.qname)
        with self._lock:
            self.queries.append(
                Query(
                    name=name,
                    qtype=QTYPE[question.qtype],
                    qclass=question.qclass,
                    recursion_desired=bool(request.header.rd),
                    opcode=request.header.opcode,
                )
            )
        reply = request.reply()
        if self.mode == "servfail":
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        values = self.records.get(name.rstrip(".").lower())
        if values is None:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        if question.qtype == QTYPE.TXT:
            for value in values:
                reply.add_answer(RR(question.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


class LocalDnsServer:
    def __init__(self) -> None:
        self.resolver = Resolver()
        quiet = DNSLogger(log="-recv,-send,-request,-reply,-truncated,-error,-data", prefix=False)
        self._server = DNSServer(self.resolver, address="127.0.0.1", port=0, logger=quiet)
        self.port = self._server.server.server_address[1]

    def start(self) -> LocalDnsServer:
        self._server.start_thread()
        return self

    def stop(self) -> None:
        self._server.stop()
        self._server.server.server_close()

    def reset(self) -> None:
        self.resolver.records.clear()
        self.resolver.queries.clear()
        self.resolver.mode = ""
