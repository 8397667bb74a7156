"""The signatures bench (issue 13): PAdES signing and validation, and a signing block of 100.

In a demo city (Gravataí, provisioned here unless a section before made it) inside the scratch
database:

- sign: a 10-page document's PDF signed with the city's document-signing key (pyHanko, SHA-256,
  AD-RB policy, certification with DocMDP): `pades.pdf_sign` alone, and `signature_sign` end to
  end (simple level: lock, read the PDF, sign, store, row) on fresh documents whose PDF is ready;
- validate: `pades.pdf_validate` of a PDF with two signatures against the city's trust root;
- block: one signer signs a block of BENCH_SIGNATURES_BLOCK documents (default 100) in one action
  (`signing_block_sign_all`, advanced level, one TOTP check): total and per document;
- memo: `memo_send` as the person waits for it (the signature is queued) and the job that renders
  and signs after commit; their sum is what the request took before the job existed.

Runs without REDIS_URL too (the jobs are held in memory). Times are printed, never asserted.
"""

from __future__ import annotations

import io
import os
import time
from typing import Any

from tests.bench.cities import bench_city
from tests.bench.figures import milliseconds_header, milliseconds_line

SIGN_RUNS = int(os.environ.get("BENCH_SIGNATURES_RUNS", "20"))
BLOCK_N = int(os.environ.get("BENCH_SIGNATURES_BLOCK", "100"))
MEMO_RUNS = int(os.environ.get("BENCH_SIGNATURES_MEMOS", "10"))
PARAGRAPH = (
    "Considerando o que consta dos autos, a equipe técnica analisou a documentação apresentada,"
    " verificou a regularidade fiscal do requerente, conferiu as plantas e o memorial descritivo e"
    " concluiu pela conformidade do pedido com a legislação municipal vigente, ressalvadas as"
    " condicionantes abaixo, que deverão ser atendidas no prazo assinalado. "
)


def _city() -> Any:
    from paco_demo import cities as demo

    return bench_city(spec=demo.GRAVATAI)


def _document(unit: Any, author: Any, *, paragraphs: int, title: str) -> Any:
    from tenant_apps.documents.services import document_create, document_pdf_read

    document = document_create(
        kind="OFIC", unit=unit, title=title, body="\n\n".join([PARAGRAPH * 2] * paragraphs), author=author
    )
    document_pdf_read(version=document.versions.get())  # the rendering is not part of the signature
    return document


def signatures_benches() -> None:
    from django.db import connection
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tenants.utils import tenant_context
    from pyhanko.pdf_utils.reader import PdfFileReader

    from paco_demo import cities as demo
    from tenant_apps.accounts.models import User
    from tenant_apps.documents.services import document_pdf_read
    from tenant_apps.org.models import OrgUnit
    from tenant_apps.signatures import pades, pki
    from tenant_apps.signatures.selectors import signed_pdf_read, trust_roots
    from tenant_apps.signatures.services import (
        authority_ensure,
        signature_sign,
        signing_block_create,
        signing_block_sign_all,
    )
    from tests.bench.protocolo import jobs_held_in_memory

    print(f"\n== signatures ({SIGN_RUNS} runs, block of {BLOCK_N}) ==", flush=True)
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average at start: {load} ({os.cpu_count()} CPUs)")
    with jobs_held_in_memory():
        municipality = _city()
        with tenant_context(municipality):
            staff = User.objects.get(email=demo.DEMO_STAFF[municipality.slug]["email"])
            unit = OrgUnit.objects.get(acronym=demo.DEMO_STAFF[municipality.slug]["unit"])
            admin = demo.demo_staff_ensure(
                email="bancada.assinaturas@gravatai.rs.gov.br", full_name="Bancada", unit=unit
            )
            started = time.perf_counter()
            authority_ensure()
            print(f"  city authority ready in {time.perf_counter() - started:.2f} s")
            big = _document(unit, staff, paragraphs=48, title="Bancada: documento de 10 páginas")
            base = document_pdf_read(version=big.versions.get())
            pages = int(PdfFileReader(io.BytesIO(base)).root["/Pages"]["/Count"])
            authority = authority_ensure()
            key = pki.key_decrypt(authority.signing_key_encrypted_pem)
            certificate = pki.to_asn1(pki.certificate_from_pem(authority.signing_certificate_pem))
            chain = [pki.to_asn1(pki.certificate_from_pem(authority.ca_certificate_pem))]
            print(f"  document PDF: {pages} pages, {len(base) / 1024:.0f} KiB")
            print(milliseconds_header("operation"))
            timings, cpu = [], []
            for _run in range(SIGN_RUNS):
                started, cpu_started = time.perf_counter(), time.thread_time()
                pades.pdf_sign(
                    pdf=base,
                    key=key,
                    certificate=certificate,
                    chain=chain,
                    signer_name="Bancada",
                    reason="bancada",
                    location="Gravataí",
                )
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - cpu_started) * 1000)
            print(milliseconds_line(f"pdf_sign ({pages} pages, certification)", timings))
            print(milliseconds_line("  (this thread's CPU time)", cpu))
            documents = [
                _document(unit, staff, paragraphs=48, title=f"Bancada: assinatura {index}")
                for index in range(SIGN_RUNS)
            ]
            timings = []
            for document in documents:
                started = time.perf_counter()
                signature_sign(document=document, signer=staff, level="simples", expected_version=1)
                timings.append((time.perf_counter() - started) * 1000)
            print(milliseconds_line("signature_sign, end to end", timings))
            second = signature_sign(document=documents[0], signer=admin, level="simples", expected_version=1)
            signed = signed_pdf_read(signature=second) or b""
            roots = trust_roots()
            timings, cpu = [], []
            for _run in range(SIGN_RUNS):
                started, cpu_started = time.perf_counter(), time.thread_time()
                reports = pades.pdf_validate(pdf=signed, trust_roots=roots)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - cpu_started) * 1000)
            valid = sum(report.ok for report in reports)
            print(milliseconds_line("pdf_validate (2 signatures)", timings, note=f"{valid}/2 valid"))
            print(milliseconds_line("  (this thread's CPU time)", cpu))

            block_documents = [
                _document(unit, staff, paragraphs=3, title=f"Bancada: bloco {index}")
                for index in range(BLOCK_N)
            ]
            block = signing_block_create(
                title="Bancada: bloco",
                author=staff,
                documents=block_documents,
                signers=[admin],
                level="avancada",
            )
            device = TOTPDevice.objects.get(user=admin, confirmed=True)
            device.last_t = -1
            device.save(update_fields=["last_t"])
            token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
            started, cpu_started = time.perf_counter(), time.thread_time()
            signed_rows = signing_block_sign_all(signer=admin, blocks=[block], otp_token=token)
            total = time.perf_counter() - started
            cpu_total = time.thread_time() - cpu_started
            print(
                f"    block of {len(signed_rows)} documents, one action: {total:.2f} s total,"
                f" {total * 1000 / max(len(signed_rows), 1):.1f} ms per document"
                f" (this thread's CPU: {cpu_total:.2f} s)"
            )
            # memos: before, `memo_send` rendered the PDF and signed it in the request; now it only
            # checks and queues the signature, and a job renders and signs after commit
            from tenant_apps.comms.services import memo_send
            from tenant_apps.signatures.services import signature_request_run

            sent, jobs, inline = [], [], []
            for index in range(MEMO_RUNS):
                started = time.perf_counter()
                memo = memo_send(
                    author=staff,
                    sender_unit=unit,
                    subject=f"Bancada: memorando {index}",
                    body=PARAGRAPH,
                    to_units=[unit],
                )
                sent.append((time.perf_counter() - started) * 1000)
                request = memo.document.signature_requests.get()
                started = time.perf_counter()
                signature_request_run(request_id=request.pk)
                jobs.append((time.perf_counter() - started) * 1000)
                inline.append(sent[-1] + jobs[-1])
            print(milliseconds_line("memo_send before (send + PDF + signature inline)", inline))
            print(milliseconds_line("memo_send now (the request: sent, signature queued)", sent))
            print(milliseconds_line("  the job after commit (render the PDF and sign)", jobs))
    connection.set_schema_to_public()
