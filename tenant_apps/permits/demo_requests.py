"""The demo's permit requests (`demo.seed` calls `requests_seed` where `PERMITS_DEMO_REQUESTS` is on),
made by the demo citizen for a few companies through the real services, so the managers' charts
(`alvaras`, `alvaras-pareceres`), the open register `alvaras-emitidos`, the staff pages and the
citizen's "Meus alvarás" show every state on first open:

- a low-risk shop gets its declaration of exemption at once (Decreto 10.178/2019, art. 3º, I);
- medium-risk activities are issued automatically after the terms (art. 3º, II), one with its Pix
  guide paid through the same webhook path as a bank's;
- one waits for a fix: its guide is unpaid and its proof of address is older than 90 days;
- high-risk ones in analysis, the opinions requested (one already given, one waiting);
- a high-risk one routed to its units, whose opinions came in on different days, then issued and
  signed by the licensing unit's staff member with an advanced signature (Lei 14.063/2020, art. 4º,
  II: the demo TOTP key is the second factor), so `/verificar/` and `/alvaras/` show a permit a
  person signed;
- one refused by an unfavourable opinion, with its reasons;
- one approved tacitly: made weeks ago, its deadline ran out with no decision (Lei 13.874/2019,
  art. 3º, IX), issued by the real daily job.

Requests routed to units are dated back (`age` days; each opinion given `day` days after the request
was made), so the managers' per-unit waits are real numbers of days; the case history (append-only)
keeps the moment the demo was seeded. And, in the admin, a published routing rule with its version 2
started as a draft. The aggregates of the days touched are rebuilt at the end. Runs once per city
(nothing is added when the city has any request)."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
from dataclasses import dataclass, field

from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from paco_demo.cities import DEMO_CITIZEN
from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tenant_apps.documents.uploads import Upload
from tenant_apps.insights.aggregation import days_recompute
from tenant_apps.org.models import OrgUnit
from tenant_apps.payments.selectors import pix_webhook_secret
from tenant_apps.payments.services import guide_paid_handle, webhook_receive, webhook_signature
from tenant_apps.workdays.selectors import BusinessCalendar
from tenants.models import Municipality

from . import builders, fees, services
from .enums import OpinionStatus, RequestStatus
from .models import Opinion, PermitKind, PermitRequest, RoutingRule

# how far back the history goes (the aggregates of these days are rebuilt)
HISTORY_DAYS = 60


@dataclass(frozen=True)
class DemoRequest:
    """One request: the kind, the company (12 digits of the CNPJ's root + branch), the activity,
    and what happens to it (`plan`): exempt, auto, fix, analysis, refused, issued (by staff, after
    favourable opinions) or tacit. `age`: how many days ago it was made; each opinion says the day
    (after the request was made) it was given."""

    kind: str
    company: str
    cnpj_base: str
    plan: str
    cnae: str = ""
    mei: bool = False
    bairro: str = "Centro"
    area: str = "60"
    pay: bool = False
    opinions: tuple[tuple[str, bool, str, int], ...] = ()  # (unit acronym, favourable, text, day) given
    age: int = 0
    extra: dict[str, str] = field(default_factory=dict)


REQUESTS: dict[str, list[DemoRequest]] = {
    "aracaju": [
        DemoRequest(
            "alvara-funcionamento",
            "Moda Atalaia Ltda",
            "451230010001",
            "exempt",
            "4781-4/00",
            bairro="Atalaia",
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Padaria Pão da Orla",
            "372910440001",
            "auto",
            "4721-1/02",
            mei=True,
            bairro="Coroa do Meio",
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Mercadinho Siqueira Ltda",
            "284410770001",
            "auto",
            "4712-1/00",
            bairro="Siqueira Campos",
            pay=True,
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Oficina Farolândia Ltda",
            "193370550001",
            "fix",
            "4520-0/01",
            bairro="Farolândia",
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Restaurante Sabor do Mangue Ltda",
            "562280330001",
            "analysis",
            "5611-2/01",
            bairro="Jardins",
            area="180",
            pay=True,
            opinions=(("SEMA", True, "Sem impacto ambiental relevante; caixa de gordura instalada.", 3),),
            age=6,
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Churrascaria Brasa do Bugio Ltda",
            "475520180001",
            "issued",
            "5611-2/01",
            bairro="Bugio",
            area="240",
            pay=True,
            opinions=(
                (
                    "SEMA",
                    True,
                    "Caixa de gordura e coifa com filtro instaladas; sem lançamento na rede pluvial.",
                    4,
                ),
                (
                    "SEMUS-VISA",
                    True,
                    "Cozinha vistoriada: áreas de preparo e lavagem separadas, câmara fria em ordem.",
                    9,
                ),
                (
                    "SEPLOG-ALV",
                    True,
                    "Pareceres favoráveis de SEMA e Vigilância Sanitária; documentação completa.",
                    15,
                ),
            ),
            age=16,
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Cantina do Grageru",
            "615540220001",
            "refused",
            "5611-2/01",
            mei=True,
            bairro="Grageru",
            opinions=(
                ("SEMA", False, "Sem caixa de gordura ligada à rede; esgoto lançado na galeria pluvial.", 5),
            ),
            age=12,
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Bistrô Ponto Novo",
            "738820660001",
            "tacit",
            "5611-2/01",
            mei=True,
            bairro="Ponto Novo",
        ),
        DemoRequest(
            "alvara-evento",
            "Festa na Orla Produções Ltda",
            "824460990001",
            "analysis",
            bairro="Atalaia",
            pay=True,
            extra={"publico_estimado": "3000"},
        ),
    ],
    "gravatai": [
        DemoRequest(
            "alvara-funcionamento",
            "Loja Morada do Vale Ltda",
            "917730180001",
            "exempt",
            "4781-4/00",
            bairro="Morada do Vale",
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Salão Bela Barnabé",
            "305580420001",
            "auto",
            "9602-5/01",
            mei=True,
            bairro="Barnabé",
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Academia Parque dos Anjos Ltda",
            "446610930001",
            "auto",
            "9313-1/00",
            bairro="Parque dos Anjos",
            area="40",
            pay=True,
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Padaria São Geraldo Ltda",
            "529940260001",
            "fix",
            "4721-1/02",
            bairro="São Geraldo",
            area="45",
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Clínica Odontológica Itacolomy Ltda",
            "638870510001",
            "analysis",
            "8630-5/04",
            bairro="Itacolomy",
            area="120",
            pay=True,
            age=4,
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Laboratório de Análises Clínicas Centro Ltda",
            "584430290001",
            "issued",
            "8640-2/02",
            bairro="Centro",
            area="150",
            pay=True,
            opinions=(
                (
                    "SMF-ALV",
                    True,
                    "Documentação completa; licença do conselho profissional e PGRSS apresentados.",
                    7,
                ),
            ),
            age=11,
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Marmitaria Bom Sucesso",
            "751190840001",
            "refused",
            "5620-1/04",
            mei=True,
            bairro="Bom Sucesso",
            opinions=(("SMF-ALV", False, "Cozinha sem separação entre área de preparo e de lavagem.", 6),),
            age=9,
        ),
        DemoRequest(
            "alvara-funcionamento",
            "Consultório Salgado Filho",
            "862250370001",
            "tacit",
            "8630-5/04",
            mei=True,
            bairro="Salgado Filho",
        ),
    ],
}
# (published rule, its version 2's name, conditions and stages by unit acronym and days)
RULE_DRAFTS: dict[str, tuple[str, str, list[dict[str, str]], list[list[tuple[str, int]]]]] = {
    "aracaju": (
        "Construção acima de 500 m²: meio ambiente",
        "Construção acima de 300 m²: meio ambiente",
        [{"campo": "tipo", "valor": "alvara-construcao"}, {"campo": "area_acima", "valor": "300"}],
        [[("SEMA", 15)], [("SEPLOG-ALV", 5)]],
    ),
    "gravatai": (
        "Eventos: licenciamento",
        "Eventos: licenciamento em 3 dias úteis",
        [{"campo": "tipo", "valor": "alvara-evento"}],
        [[("SMF-ALV", 3)]],
    ),
}
STAFF = {
    "SEMA": "sema.licencas@aracaju.se.gov.br",
    "SEMUS-VISA": "visa@aracaju.se.gov.br",
    "SEPLOG-ALV": "alvaras@aracaju.se.gov.br",
    "SMF-ALV": "alvaras@gravatai.rs.gov.br",
}


def requests_seed(*, municipality: Municipality) -> None:
    slug = municipality.slug
    citizen = User.objects.filter(email=DEMO_CITIZEN["email"]).first()
    if slug not in REQUESTS or citizen is None or PermitRequest.objects.exists():
        return
    _rule_draft_seed(slug)
    today = timezone.localdate()
    for spec in REQUESTS[slug]:
        _request_seed(spec, citizen=citizen, today=today)
    services.tacit_approvals_run(today=today)  # the daily job: the request whose deadline ran out
    days_recompute(first=today - dt.timedelta(days=HISTORY_DAYS), last=today)


def _rule_draft_seed(slug: str) -> None:
    name, draft_name, conditions, stages = RULE_DRAFTS[slug]
    rule = RoutingRule.objects.filter(name=name, is_published=True, retired_at__isnull=True).first()
    admin = User.objects.filter(email__startswith="admin@", kind="staff").order_by("pk").first()
    if rule is None or admin is None or builders.routing_rule_draft_of(rule) is not None:
        return
    units = dict(OrgUnit.objects.values_list("acronym", "pk"))
    builders.routing_rule_update(
        rule=rule,
        actor=admin,
        name=draft_name,
        position=rule.position,
        conditions=conditions,
        stages=[[{"unidade": units[acronym], "dias": days} for acronym, days in stage] for stage in stages],
    )


def _request_seed(spec: DemoRequest, *, citizen: User, today: dt.date) -> PermitRequest:
    kind = PermitKind.objects.select_related("service").get(service__code=spec.kind)
    answers = {
        "cpf_cnpj": cnpj(spec.cnpj_base),
        "nome_razao_social": spec.company,
        "mei": "Sim" if spec.mei else "Não",
        "endereco": f"Rua da Demonstração, {int(spec.cnpj_base[:3])}",
        "bairro": spec.bairro,
        "cnae": spec.cnae,
        "area_m2": spec.area,
        **spec.extra,
    }
    keys = set(kind.service.fields.values_list("key", flat=True))
    answers = {key: value for key, value in answers.items() if key in keys}
    if spec.kind == "alvara-evento":
        start = today + dt.timedelta(days=40)
        answers |= {"data_inicio": start.isoformat(), "data_fim": (start + dt.timedelta(days=2)).isoformat()}
    request = services.permit_request_submit(
        kind=kind,
        citizen=citizen,
        form_data=answers,
        uploads=_files(kind, spec, today=today),
        accept_terms=spec.plan == "auto",
    )
    if spec.plan == "exempt":
        return request
    if spec.pay:
        _pay(request)
    services.request_analyse(request_id=request.pk)
    given_on: dict[int, int] = {}
    for acronym, favourable, text, day in spec.opinions:
        opinion = Opinion.objects.get(request=request, unit__acronym=acronym, status=OpinionStatus.PENDING)
        services.opinion_give(
            opinion=opinion, actor=User.objects.get(email=STAFF[acronym]), is_favourable=favourable, text=text
        )
        given_on[opinion.pk] = day
    if spec.plan == "issued":
        licensing = User.objects.get(email=STAFF[spec.opinions[-1][0]])
        services.permit_issue(request=request, actor=licensing, otp_token=_otp(licensing))
    if spec.plan == "tacit":
        _backdate(request)
    elif spec.age:
        _date_back(request, days=spec.age, given_on=given_on)
    request.refresh_from_db()
    expected = {
        "auto": RequestStatus.ISSUED,
        "fix": RequestStatus.NEEDS_FIX,
        "analysis": RequestStatus.IN_ANALYSIS,
        "refused": RequestStatus.REFUSED,
        "issued": RequestStatus.ISSUED,
        "tacit": RequestStatus.IN_ANALYSIS,  # until the daily job runs, in `requests_seed`
    }[spec.plan]
    if request.status != expected:
        raise RuntimeError(f"demo request {spec.company}: {request.status}, expected {expected}")
    return request


def _otp(user: User) -> str:
    """A code of `user`'s demo TOTP device it has not accepted yet (a code is good once: take the next
    30-second step, which the device accepts as drift, or wait for it when that is spent too)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    while True:
        now = int(time.time() - device.t0) // device.step
        step = max(now, device.last_t + 1)
        if step <= now + min(device.tolerance, 1):
            code = totp(
                device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=step - now
            )
            return f"{code:0{device.digits}d}"
        time.sleep(1)


def _date_back(request: PermitRequest, *, days: int, given_on: dict[int, int]) -> None:
    """The request was made `days` ago: its dates, its case's and its opinions' move back, and each
    opinion given is dated `given_on[opinion]` days after the request was made; an opinion of a later
    stage started when the last one of the stage before was given. An issued request keeps the moment
    of its permit (today) and its closed case."""
    request = PermitRequest.objects.select_related("kind").get(pk=request.pk)
    calendar = BusinessCalendar()
    shift = dt.timedelta(days=days)
    made = request.created_at - shift
    PermitRequest.objects.filter(pk=request.pk).update(
        created_at=made,
        pre_analysis_at=request.pre_analysis_at - shift if request.pre_analysis_at else None,
        analysis_started_at=request.analysis_started_at - shift if request.analysis_started_at else None,
        decision_due=calendar.add_business_days(timezone.localdate(made), request.kind.decision_days),
    )
    if request.status == RequestStatus.REFUSED:
        refused = made + dt.timedelta(days=max(given_on.values(), default=0))
        PermitRequest.objects.filter(pk=request.pk).update(decided_at=refused, refused_at=refused)
    case = Case.objects.get(pk=request.case_id)
    Case.objects.filter(pk=case.pk).update(
        created_at=case.created_at - shift,
        opened_at=case.opened_at - shift,
        deadline=calendar.add_business_days(timezone.localdate(made), request.kind.decision_days),
    )
    stage_started = made
    for stage in sorted(set(request.opinions.values_list("stage", flat=True))):
        opinions = list(request.opinions.filter(stage=stage, started_at__isnull=False))
        decided = [made + dt.timedelta(days=given_on[o.pk]) for o in opinions if o.pk in given_on]
        for opinion in opinions:
            Opinion.objects.filter(pk=opinion.pk).update(
                started_at=stage_started,
                due=(  # an opinion the refusal ended has no deadline left
                    None
                    if opinion.status == OpinionStatus.CLOSED
                    else calendar.add_business_days(timezone.localdate(stage_started), opinion.days)
                ),
                decided_at=made + dt.timedelta(days=given_on[opinion.pk]) if opinion.pk in given_on else None,
            )
        if not decided or len(decided) < len(opinions):
            break
        stage_started = max(decided)


def _pay(request: PermitRequest) -> None:
    """Pay the request's guide as a bank would (a signed Pix notice to the webhook), then run the paid
    job's body (in `make demo` the worker would, after commit; it finds the guide handled)."""
    guide = fees.fee_guide(request=request)
    body = json.dumps(
        {
            "pix": [
                {
                    "endToEndId": f"E00000000ALV{guide.year}{guide.number:06d}",
                    "txid": guide.txid,
                    "valor": f"{guide.amount:.2f}",
                    "horario": timezone.now().isoformat(),
                }
            ]
        }
    ).encode()
    webhook_receive(body=body, signature=webhook_signature(secret=pix_webhook_secret(), body=body))
    guide_paid_handle(guide_id=guide.pk)


def _backdate(request: PermitRequest) -> None:
    """The request was made long enough ago for its decision deadline (business days, the city's
    calendar) to have run out yesterday or before: its dates, its case's and its opinions' move back."""
    request = PermitRequest.objects.select_related("kind").get(pk=request.pk)
    calendar = BusinessCalendar()
    today = timezone.localdate()
    made = today - dt.timedelta(days=request.kind.decision_days)
    while calendar.add_business_days(made, request.kind.decision_days) >= today:
        made -= dt.timedelta(days=1)
    shift = dt.timedelta(days=(today - made).days)
    PermitRequest.objects.filter(pk=request.pk).update(
        created_at=request.created_at - shift,
        pre_analysis_at=request.pre_analysis_at - shift if request.pre_analysis_at else None,
        analysis_started_at=request.analysis_started_at - shift if request.analysis_started_at else None,
        decision_due=calendar.add_business_days(made, request.kind.decision_days),
    )
    case = Case.objects.get(pk=request.case_id)
    Case.objects.filter(pk=case.pk).update(
        created_at=case.created_at - shift,
        opened_at=case.opened_at - shift,
        last_event_at=case.last_event_at - shift,
        deadline=case.deadline - shift,
    )
    for opinion in Opinion.objects.filter(request=request, started_at__isnull=False):
        if opinion.started_at is None:  # never: the filter
            continue
        Opinion.objects.filter(pk=opinion.pk).update(
            started_at=opinion.started_at - shift,
            due=calendar.add_business_days(made, opinion.days),
        )


def _files(kind: PermitKind, spec: DemoRequest, *, today: dt.date) -> list[Upload]:
    """One PDF with text per checklist item, labelled with the item; the proof of address of a
    request that needs a fix was issued long before the 90 days the item accepts."""
    issued = today - dt.timedelta(days=200 if spec.plan == "fix" else 5)
    files = []
    for item in kind.checklist.order_by("position"):
        text = f"{item.name} de {spec.company}. Emitida em {issued:%d/%m/%Y}."
        if "endereço" in item.name.lower():
            text = (
                f"Conta de energia de {spec.company}. Emitida em {issued:%d/%m/%Y}. Comprovante de endereco."
            )
        files.append(
            Upload(name=f"{item.position + 1}.pdf", file=io.BytesIO(text_pdf(text)), label=item.name)
        )
    return files


def cnpj(base: str) -> str:
    """The 14 digits of a CNPJ whose first 12 are `base` (check digits by the Receita's rule)."""
    digits = [int(ch) for ch in base]
    for weights in ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        digits.append(0 if rest < 2 else 11 - rest)
    return "".join(map(str, digits))


def text_pdf(text: str, *, padding: int = 0) -> bytes:
    """A one-page PDF showing `text` that pypdf reads (what a requester's scanner with OCR gives);
    `padding` bytes of comment make a big file (the tests and the bench use this builder too)."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 10 Tf 40 800 Td ({escaped}) Tj ET".encode("latin-1", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
        b"<< /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    if padding:
        out.write(b"%" + b"x" * padding + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
