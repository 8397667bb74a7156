"""The request form of a service: built from its fields, read back as answers and uploads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from paco.errors import ApplicationError
from tenant_apps.catalog.models import Service
from tenant_apps.catalog.request_form import (
    form_data_clean,
    form_data_text,
    service_request_form_class,
    service_request_read,
)
from tests.cases.conftest import PNG


def test_the_form_has_the_services_fields_and_one_input_per_required_document(in_aracaju):
    service = Service.objects.get(code="poda-de-arvore")
    requirement = service.required_attachments.get()

    form = service_request_form_class(service)()

    assert list(form.fields) == [
        "subject",
        "description",
        *service.fields.values_list("key", flat=True),
        f"anexo_{requirement.pk}",
    ]
    assert form.fields[f"anexo_{requirement.pk}"].label == requirement.name


def test_a_valid_form_reads_back_as_answers_and_labelled_uploads(in_aracaju):
    # given
    service = Service.objects.get(code="poda-de-arvore")
    requirement = service.required_attachments.get()
    files = MultiValueDict(
        {
            f"anexo_{requirement.pk}": [SimpleUploadedFile("arvore.png", PNG)],
            "outros_anexos": [SimpleUploadedFile("planta.png", PNG)],
        }
    )
    form = service_request_form_class(service)(
        {"subject": "Árvore inclinada", "endereco": "Rua Laranjeiras, 100", "motivo": "Risco de queda"}, files
    )
    assert form.is_valid(), form.errors

    # when
    answers = service_request_read(
        service=service, form=form, files=files, extra_uploads={"outros_anexos": "Outro documento"}
    )

    # then
    assert (answers.subject, answers.description) == ("Árvore inclinada", "")
    assert answers.form_data == {"endereco": "Rua Laranjeiras, 100", "motivo": "Risco de queda"}
    assert [(upload.name, upload.label) for upload in answers.uploads] == [
        ("arvore.png", requirement.name),
        ("planta.png", "Outro documento"),
    ]


def test_answers_are_checked_against_the_fields_in_portuguese(in_aracaju):
    service = Service.objects.get(code="poda-de-arvore")

    with pytest.raises(ApplicationError) as missing:
        form_data_clean(service, {"endereco": "Rua Laranjeiras, 100"})
    cleaned = form_data_clean(service, {"endereco": " Rua Laranjeiras, 100 ", "motivo": "Outro"})

    assert missing.value.extra == {"field": "motivo"}
    assert missing.value.message.endswith(": campo obrigatório.")
    assert cleaned == {"endereco": "Rua Laranjeiras, 100", "motivo": "Outro"}
    assert form_data_text(service, cleaned).splitlines()[0].endswith(": Rua Laranjeiras, 100")
