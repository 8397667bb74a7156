import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from paco.errors import ApplicationError
from tenant_apps.cases.enums import CaseStatus
from tenant_apps.cases.history import history_verify
from tenant_apps.cases.models import Case
from tenant_apps.notifications.models import Notification
from tenant_apps.ombudsman import deadlines, selectors, services
from tenant_apps.ombudsman.enums import IdentityMode, ManifestationKind
from tenant_apps.ombudsman.models import IdentityAccess, Manifestation
from tenant_apps.signatures.models import Signature
from tenant_apps.signatures.selectors import signatures_verified
from tests.factories import pdf_bytes


def _file(**overrides):
    arguments = {
        "kind": ManifestationKind.REPORT,
        "identity_mode": IdentityMode.ANONYMOUS,
        "subject": "Descarte irregular",
        "description": "Entulho jogado na praça todas as noites.",
    }
    arguments.update(overrides)
    return services.manifestation_file(**arguments)


def test_an_anonymous_manifestation_is_a_case_with_a_code_stored_only_as_hash(in_aracaju):
    manifestation, code = _file()

    case = manifestation.case
    assert case.nup
    assert case.service.code == "ouvidoria"
    assert case.current_unit.acronym == "CGM"
    assert case.citizen.email == services.SYSTEM_EMAIL
    assert case.deadline == deadlines.answer_deadline(
        deadlines.settings_default(), start=timezone.localdate(), is_information_access=False
    )
    assert manifestation.access_code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    assert (manifestation.filer_name, manifestation.filer_email, manifestation.filer_cpf) == ("", "", "")
    assert manifestation.pseudonym.startswith("Manifestante ")
    stored = str(list(Manifestation.objects.filter(pk=manifestation.pk).values()))
    assert code not in stored
    assert code.replace("-", "") not in stored
    assert selectors.manifestation_get_by_code(nup=case.nup, code=code.lower()) == manifestation
    assert history_verify(case).is_valid


def test_a_wrong_code_finds_nothing(in_aracaju):
    from django.http import Http404

    manifestation, code = _file()
    with pytest.raises(Http404):
        selectors.manifestation_get_by_code(nup=manifestation.case.nup, code="AAAA-BBBB-CCCC-DDDD")


def test_a_protected_identity_stays_out_of_the_case(in_aracaju, citizen):
    manifestation, _code = _file(identity_mode=IdentityMode.PROTECTED, citizen=citizen)

    assert manifestation.filer_name == "Maria da Silva Santos"
    assert manifestation.filer_cpf == "52998224725"
    assert manifestation.case.citizen.email == services.SYSTEM_EMAIL
    assert "Maria" not in manifestation.case.subject + manifestation.case.description
    assert Notification.objects.filter(
        template_key="ombudsman_received", address="cidadao@exemplo.com.br", subject_id=manifestation.pk
    ).exists()


def test_an_identified_citizen_is_the_case_requester(in_aracaju, citizen):
    manifestation, _code = _file(
        kind=ManifestationKind.COMPLAINT, identity_mode=IdentityMode.IDENTIFIED, citizen=citizen
    )
    assert manifestation.case.citizen == citizen


def test_lai_requires_identification_and_nothing_partial_is_saved(in_aracaju):
    cases_before = Case.objects.count()
    with pytest.raises(ApplicationError, match="exige identificação"):
        _file(kind=ManifestationKind.INFORMATION_ACCESS)
    with pytest.raises(ApplicationError, match="e-mail ou um celular"):
        _file(identity_mode=IdentityMode.PROTECTED, filer_name="Fulano")
    assert Case.objects.count() == cases_before


def test_staff_registers_on_behalf_of_a_citizen(in_aracaju, sema_staff):
    manifestation, _code = _file(
        kind=ManifestationKind.PRAISE,
        identity_mode=IdentityMode.IDENTIFIED,
        filer_name="João Telefone",
        filer_phone="79999990000",
        registered_by=sema_staff,
    )
    assert manifestation.registered_by == sema_staff
    assert manifestation.case.channel == "balcao"
    assert Notification.objects.filter(
        subject_id=manifestation.pk, channel="sms", address="79999990000"
    ).exists()


def test_full_flow_unit_input_extension_close_rate_reopen(in_aracaju, ombudsman, sema, sema_staff):
    manifestation, _code = _file(
        identity_mode=IdentityMode.PROTECTED, filer_name="Zé", filer_email="ze@exemplo.com"
    )
    unit_input = services.manifestation_input_request(
        manifestation=manifestation, actor=ombudsman, unit=sema, question="Verifiquem a praça."
    )
    assert unit_input.deadline > timezone.localdate()
    manifestation.case.refresh_from_db()
    assert manifestation.case.current_unit == sema

    # the unit extends once and answers; the case returns to the ombudsman
    services.manifestation_input_extend(
        manifestation=manifestation, actor=sema_staff, justification="Vistoria"
    )
    with pytest.raises(ApplicationError, match="uma vez"):
        services.manifestation_input_extend(
            manifestation=manifestation, actor=sema_staff, justification="De novo"
        )
    services.manifestation_input_answer(
        manifestation=manifestation, actor=sema_staff, answer="Limpamos a praça."
    )
    manifestation.case.refresh_from_db()
    assert manifestation.case.current_unit.acronym == "CGM"

    # the ombudsman extends once, the filer is told the justification
    deadline_before = manifestation.case.deadline
    services.manifestation_extend(
        manifestation=manifestation, actor=ombudsman, justification="Aguardando fiscalização"
    )
    manifestation.refresh_from_db()
    manifestation.case.refresh_from_db()
    assert manifestation.case.deadline == deadlines.days_add(deadline_before, 30, "corridos")
    assert manifestation.extension_justification == "Aguardando fiscalização"
    assert Notification.objects.filter(template_key="ombudsman_extended", address="ze@exemplo.com").exists()
    with pytest.raises(ApplicationError, match="única prorrogação"):
        services.manifestation_extend(manifestation=manifestation, actor=ombudsman, justification="Outra")

    # another unit cannot close; the ombudsman closes; closed is not resolved
    with pytest.raises(PermissionDenied):
        services.manifestation_close(manifestation=manifestation, actor=sema_staff, answer="x")
    services.manifestation_close(manifestation=manifestation, actor=ombudsman, answer="Praça limpa.")
    manifestation.refresh_from_db()
    assert manifestation.case.status == CaseStatus.CLOSED
    # the unit's answer (a dispatch) and the ombudsman's final answer are PAdES-signed by their authors
    signed = Signature.objects.filter(document__case_links__case=manifestation.case).select_related(
        "document"
    )
    assert {(s.document.kind, s.signer_id) for s in signed if s.document.kind == "RESP"} == {
        ("RESP", ombudsman.pk)
    }
    assert ("DESP", sema_staff.pk) in {(s.document.kind, s.signer_id) for s in signed}
    assert all(s.signer_id == s.document.author_id and s.is_embedded for s in signed)
    answer = next(s for s in signed if s.document.kind == "RESP")
    assert [row.is_valid for row in signatures_verified(document=answer.document)[0]] == [True]
    assert manifestation.is_answered_in_time is True
    assert manifestation.is_resolved is None

    services.manifestation_rate(manifestation=manifestation, is_resolved=False, satisfaction=2)
    manifestation.refresh_from_db()
    assert (manifestation.is_resolved, manifestation.satisfaction) == (False, 2)
    with pytest.raises(ApplicationError, match="já foi avaliada"):
        services.manifestation_rate(manifestation=manifestation, is_resolved=True, satisfaction=5)

    services.manifestation_reopen(manifestation=manifestation, reason="Voltaram a jogar entulho.")
    manifestation.refresh_from_db()
    assert manifestation.case.status == CaseStatus.IN_PROGRESS
    assert manifestation.reopened_at is not None
    assert history_verify(manifestation.case).is_valid


def test_reopen_after_the_window_is_refused(in_aracaju, ombudsman):
    manifestation, _code = _file()
    services.manifestation_close(manifestation=manifestation, actor=ombudsman, answer="Resolvido.")
    Case.objects.filter(pk=manifestation.case_id).update(closed_at=timezone.now() - dt.timedelta(days=31))
    with pytest.raises(ApplicationError, match="prazo para reabrir terminou"):
        services.manifestation_reopen(manifestation=manifestation, reason="Ainda não.")


def test_asking_the_filer_pauses_the_clock(in_aracaju, ombudsman):
    manifestation, _code = _file()
    deadline = manifestation.case.deadline
    services.manifestation_request_information(
        manifestation=manifestation, actor=ombudsman, question="Qual praça?"
    )
    case = Case.objects.get(pk=manifestation.case_id)
    assert case.status == CaseStatus.WAITING_CITIZEN
    assert case.paused_since is not None
    # the filer answers three business days later: the deadline moves by those days
    paused_since = timezone.now() - dt.timedelta(days=7)
    Case.objects.filter(pk=case.pk).update(paused_since=paused_since)
    services.manifestation_answer_information(manifestation=manifestation, answer="Praça Fausto Cardoso.")
    case.refresh_from_db()
    from tenant_apps.workdays.selectors import BusinessCalendar

    calendar = BusinessCalendar()
    paused = calendar.business_days_between(timezone.localdate(paused_since), timezone.localdate())
    assert paused >= 4
    assert case.deadline == calendar.add_business_days(deadline, paused)
    assert case.paused_since is None
    assert case.status == CaseStatus.IN_PROGRESS


def test_lai_extension_refused_after_the_deadline_and_appeals(in_aracaju, ombudsman, citizen):
    request, _code = _file(
        kind=ManifestationKind.INFORMATION_ACCESS, identity_mode=IdentityMode.IDENTIFIED, citizen=citizen
    )
    assert request.case.service.code == "acesso-a-informacao"
    Case.objects.filter(pk=request.case_id).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ApplicationError, match="antes do fim do prazo"):
        services.manifestation_extend(manifestation=request, actor=ombudsman, justification="Tarde")
    Case.objects.filter(pk=request.case_id).update(deadline=timezone.localdate())
    services.manifestation_extend(manifestation=request, actor=ombudsman, justification="Arquivo externo")

    services.manifestation_close(
        manifestation=request, actor=ombudsman, answer="Informação negada: sigilo fiscal."
    )
    first = services.appeal_file(manifestation=request, reason="Não é sigilosa.")
    assert first.instance == 1
    assert first.deadline > timezone.localdate()
    with pytest.raises(ApplicationError, match="Não há recurso cabível"):
        services.appeal_file(manifestation=request, reason="De novo")
    services.appeal_decide(appeal=first, actor=ombudsman, decision="Mantida a negativa.", is_granted=False)
    second = services.appeal_file(manifestation=request, reason="Recorro à 2ª instância.")
    assert second.instance == 2


def test_identity_reveal_is_logged_and_only_for_the_ombudsman(in_aracaju, ombudsman, sema_staff):
    manifestation, _code = _file(
        identity_mode=IdentityMode.PROTECTED, filer_name="Zé Sigilo", filer_email="z@e.com"
    )
    with pytest.raises(PermissionDenied):
        services.identity_reveal(manifestation=manifestation, user=sema_staff, reason="curiosidade")
    assert not IdentityAccess.objects.exists()
    access = services.identity_reveal(
        manifestation=manifestation, user=ombudsman, reason="Contato para vistoria"
    )
    assert (access.user_name, access.reason) == ("Olívia Ouvidora", "Contato para vistoria")
    assert (
        selectors.filer_display_name(manifestation=manifestation, user=ombudsman, revealed=True)
        == "Zé Sigilo"
    )
    assert selectors.filer_display_name(manifestation=manifestation, user=sema_staff, revealed=True) == (
        manifestation.pseudonym
    )


def test_escalation_notifies_the_unit_manager_once_a_day(
    in_aracaju, ombudsman, sema, sema_staff, sema_manager
):
    manifestation, _code = _file()
    services.manifestation_input_request(
        manifestation=manifestation, actor=ombudsman, unit=sema, question="?"
    )
    Case.objects.filter(pk=manifestation.case_id).update(deadline=timezone.localdate() - dt.timedelta(days=2))

    sent = services.ombudsman_escalate()
    again = services.ombudsman_escalate()

    assert sent == 1
    assert again == 0
    assert (
        Notification.objects.filter(template_key="ombudsman_overdue", recipient=sema_manager).count() == 2
    )  # inbox + e-mail
    assert not Notification.objects.filter(template_key="ombudsman_overdue", recipient=sema_staff).exists()


def test_report_counts_per_unit_and_kind(in_aracaju, ombudsman):
    first, _ = _file()
    second, _ = _file(kind=ManifestationKind.COMPLAINT)
    services.manifestation_close(manifestation=first, actor=ombudsman, answer="Ok")
    services.manifestation_rate(manifestation=first, is_resolved=True, satisfaction=4)
    Case.objects.filter(pk=second.case_id).update(deadline=timezone.localdate() - dt.timedelta(days=1))

    rows = selectors.ombudsman_report(start=timezone.localdate(), end=timezone.localdate())

    by_kind = {row.kind: row for row in rows}
    assert by_kind["Denúncia"].received == 1
    assert by_kind["Denúncia"].answered_in_time == 1
    assert by_kind["Denúncia"].average_satisfaction == 4
    assert by_kind["Denúncia"].resolved == 1
    assert by_kind["Reclamação"].overdue == 1
    assert by_kind["Reclamação"].unit == "CGM"


def test_the_escalation_actor_runs_in_the_tenant_and_is_idempotent(in_aracaju, ombudsman):
    from tenant_apps.ombudsman.tasks import ombudsman_escalate_task

    manifestation, _code = _file()
    Case.objects.filter(pk=manifestation.case_id).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    period = timezone.localdate().isoformat()

    ombudsman_escalate_task.fn(period=period)
    ombudsman_escalate_task.fn(period=period)

    # the CGM's manager (the demo ombudsman) is told once, in the inbox and by e-mail
    assert Notification.objects.filter(template_key="ombudsman_overdue", recipient=ombudsman).count() == 2


def test_an_lai_answer_attaches_documents_the_filer_can_see(in_aracaju, ombudsman):
    import io

    from tenant_apps.cases.models import CaseDocument
    from tenant_apps.documents.models import Attachment
    from tenant_apps.documents.uploads import Upload

    manifestation, _code = _file(
        kind=ManifestationKind.INFORMATION_ACCESS,
        identity_mode=IdentityMode.IDENTIFIED,
        filer_name="Rita Requerente",
        filer_cpf="529.982.247-25",
        filer_email="rita@exemplo.com.br",
    )
    pdf = pdf_bytes()

    services.manifestation_close(
        manifestation=manifestation,
        actor=ombudsman,
        answer="Segue a planilha com os contratos de 2025.",
        uploads=[Upload(name="contratos-2025.pdf", file=io.BytesIO(pdf), label="Documento da resposta")],
    )

    case = Case.objects.get(pk=manifestation.case_id)
    attachment = Attachment.objects.get(document__case_links__case=case, original_name="contratos-2025.pdf")
    assert case.status == CaseStatus.CLOSED
    assert (attachment.content_type, attachment.sha256) == (
        "application/pdf",
        hashlib.sha256(pdf).hexdigest(),
    )
    assert CaseDocument.objects.get(case=case, document=attachment.document).is_public is True
