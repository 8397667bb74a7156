"""Previews of attachments on the staff case page: a PDF's first page drawn as a PNG on the server,
an image as it is, through the protected attachment view (same rule, logged as a view)."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import tenant_context
from PIL import Image
from pypdf.generic import DecodedStreamObject, NameObject

from tenant_apps.accounts.models import User
from tenant_apps.cases.models import Case
from tenant_apps.cases.selectors import case_submission
from tenant_apps.cases.services import case_attach, case_open, nup_digits
from tenant_apps.catalog.models import Service
from tenant_apps.documents.models import DocumentAccessLog
from tenant_apps.documents.previews import PreviewUnavailable, pdf_first_page_png
from tenant_apps.documents.services import attachment_store
from tenant_apps.documents.uploads import Upload
from tests.documents.conftest import PNG, client_as

ARACAJU = "aracaju.localhost"
GRAVATAI = "gravatai.localhost"
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)


def _a4_with_a_blue_box() -> bytes:
    """An A4 page (595 × 842 points) with a blue box 100 points from the top left corner."""
    writer = pypdf.PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    stream = DecodedStreamObject()
    stream.set_data(b"0 0 1 rg 100 642 200 100 re f")
    page[NameObject("/Contents")] = writer._add_object(stream)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


PDF = _a4_with_a_blue_box()


def _preview_path(attachment) -> str:
    return f"/staff/documentos/{attachment.document_id}/anexos/{attachment.pk}/previa/"


def test_the_first_page_is_drawn_800_pixels_wide():
    image = Image.open(io.BytesIO(pdf_first_page_png(PDF)))

    # 800 px for 595 points: 1.3445 px a point; the box spans 134–403 px across, 134–269 px down
    assert image.size == (800, 1133)
    rgb = image.convert("RGB")
    assert rgb.getpixel((268, 200)) == BLUE
    assert rgb.getpixel((120, 200)) == WHITE
    assert rgb.getpixel((700, 1000)) == WHITE


def test_a_page_of_absurd_proportions_is_drawn_within_the_pixel_budget():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=14400)
    output = io.BytesIO()
    writer.write(output)

    image = Image.open(io.BytesIO(pdf_first_page_png(output.getvalue())))

    # 1.28 million pixels at most (PDFium rounds each side up to a whole pixel)
    assert image.size == (134, 9600)


@pytest.mark.parametrize("data", [b"%PDF-1.7\nnot really", b"", PNG])
def test_a_file_that_is_no_pdf_has_no_preview(data):
    with pytest.raises(PreviewUnavailable):
        pdf_first_page_png(data)


def test_a_reader_sees_the_pdfs_first_page_and_the_view_is_logged(aracaju, restricted_document):
    with tenant_context(aracaju):
        attachment = attachment_store(file=io.BytesIO(PDF), name="planta.pdf", document=restricted_document)

    response = client_as("staff", aracaju).get(
        _preview_path(attachment), HTTP_HOST=ARACAJU, REMOTE_ADDR="198.51.100.7"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert Image.open(io.BytesIO(response.content)).size == (800, 1133)
    with tenant_context(aracaju):
        assert list(
            DocumentAccessLog.objects.filter(document=restricted_document).values_list(
                "user__email", "action", "ip_address"
            )
        ) == [("servidor@aracaju.se.gov.br", "view", "198.51.100.7")]


def test_an_image_is_previewed_as_it_is(aracaju, restricted_document):
    with tenant_context(aracaju):
        attachment = restricted_document.attachments.get()

    response = client_as("manager", aracaju).get(_preview_path(attachment), HTTP_HOST=ARACAJU)

    assert (response.status_code, response["Content-Type"], response.content) == (200, "image/png", PNG)


@pytest.mark.parametrize("role", ["other_unit", "admin"])
def test_a_person_who_may_not_read_the_document_gets_no_preview(
    aracaju, other_unit_staff, restricted_document, role
):
    with tenant_context(aracaju):
        attachment = attachment_store(file=io.BytesIO(PDF), name="planta.pdf", document=restricted_document)

    response = client_as(role, aracaju).get(_preview_path(attachment), HTTP_HOST=ARACAJU)

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("image/")
    with tenant_context(aracaju):
        assert list(DocumentAccessLog.objects.values_list("action", flat=True)) == ["denied"]


def test_another_citys_staff_get_no_preview(aracaju, gravatai, restricted_document):
    with tenant_context(aracaju):
        attachment = attachment_store(file=io.BytesIO(PDF), name="planta.pdf", document=restricted_document)

    response = client_as("staff", gravatai).get(_preview_path(attachment), HTTP_HOST=GRAVATAI)

    assert response.status_code == 404
    assert b"PNG" not in response.content


def test_other_types_and_tampered_files_get_no_preview(aracaju, restricted_document):
    with tenant_context(aracaju):
        text = attachment_store(
            file=io.BytesIO(b"Relatorio simples em texto.\n" * 20),
            name="nota.txt",
            document=restricted_document,
        )
        pdf = attachment_store(file=io.BytesIO(PDF), name="planta.pdf", document=restricted_document)
        default_storage.delete(pdf.storage_name)
        default_storage.save(pdf.storage_name, ContentFile(PDF.replace(b"0 0 1 rg", b"1 0 0 rg")))
    client = client_as("staff", aracaju)

    assert client.get(_preview_path(text), HTTP_HOST=ARACAJU).status_code == 404
    tampered = client.get(_preview_path(pdf), HTTP_HOST=ARACAJU)
    assert tampered.status_code == 409
    assert "não confere com o registrado" in tampered.content.decode()


def test_the_staff_case_page_shows_the_first_page_of_a_pdf_with_its_link(aracaju, media_root):
    with tenant_context(aracaju):
        staff = User.objects.get(email="servidor@aracaju.se.gov.br")
        case = case_open(
            service=Service.objects.get(code="poda-de-arvore"),
            opened_by=User.objects.get(email="cidadao@exemplo.com.br"),
            form_data={"endereco": "Rua A, 1", "motivo": "Outro"},
            subject="Poda na Rua A",
        )
        document = case_attach(
            case=Case.objects.get(pk=case.pk),
            actor=staff,
            uploads=[Upload(name="laudo.pdf", file=io.BytesIO(PDF))],
        )
        attachment = document.attachments.get()

    html = (
        client_as("staff", aracaju)
        .get(f"/staff/protocolos/{nup_digits(nup=case.nup)}/", HTTP_HOST=ARACAJU)
        .content.decode()
    )

    download = f"/staff/documentos/{document.pk}/anexos/{attachment.pk}/"
    assert (
        f'<a class="paco-preview paco-preview-pdf" href="{download}"><img src="{download}previa/"'
        ' alt="Primeira página de laudo.pdf" loading="lazy"><span>Baixar o PDF completo</span></a>'
    ) in html


# --- the staff document page and the citizen's case page -----------------------------------------


def test_the_staff_document_page_shows_its_attachments_previews(aracaju, restricted_document):
    with tenant_context(aracaju):
        attachment = attachment_store(file=io.BytesIO(PDF), name="planta.pdf", document=restricted_document)

    html = (
        client_as("staff", aracaju)
        .get(f"/staff/documentos/{restricted_document.pk}/", HTTP_HOST=ARACAJU)
        .content.decode()
    )

    download = f"/staff/documentos/{restricted_document.pk}/anexos/{attachment.pk}/"
    assert f'<a class="paco-preview paco-preview-pdf" href="{download}"><img src="{download}previa/"' in html
    assert 'alt="Primeira página de planta.pdf"' in html


def _citizens_case(aracaju, *, internal_pdf: bool = False):
    """A case of the demo citizen with a PDF and a photo they sent, and a PDF the staff attached
    (visible to them, or internal)."""
    with tenant_context(aracaju):
        staff = User.objects.get(email="servidor@aracaju.se.gov.br")
        case = case_open(
            service=Service.objects.get(code="poda-de-arvore"),
            opened_by=User.objects.get(email="cidadao@exemplo.com.br"),
            form_data={"endereco": "Rua A, 1", "motivo": "Outro"},
            subject="Poda na Rua A",
            uploads=[
                Upload(name="planta.pdf", file=io.BytesIO(PDF)),
                Upload(name="foto.png", file=io.BytesIO(PNG)),
            ],
        )
        staff_document = case_attach(
            case=Case.objects.get(pk=case.pk),
            actor=staff,
            uploads=[Upload(name="laudo.pdf", file=io.BytesIO(PDF))],
            is_public=not internal_pdf,
        )
        sent = case_submission(case=case).request_document
        return case, sent, staff_document


def _citizen_preview_path(case, document, attachment) -> str:
    return f"/protocolos/{nup_digits(nup=case.nup)}/documentos/{document.pk}/anexos/{attachment.pk}/previa/"


def test_the_citizen_sees_previews_of_their_files_and_the_views_are_logged(aracaju, media_root):
    case, sent, staff_document = _citizens_case(aracaju)
    with tenant_context(aracaju):
        pdf, photo = (
            sent.attachments.get(original_name="planta.pdf"),
            sent.attachments.get(original_name="foto.png"),
        )
        laudo = staff_document.attachments.get()
    client = client_as("citizen", aracaju)

    html = client.get(f"/protocolos/{nup_digits(nup=case.nup)}/", HTTP_HOST=ARACAJU).content.decode()
    for document, attachment, alt in (
        (sent, pdf, "Primeira página de planta.pdf"),
        (sent, photo, "Prévia de foto.png"),
        (staff_document, laudo, "Primeira página de laudo.pdf"),
    ):
        preview = _citizen_preview_path(case, document, attachment)
        assert f'<img src="{preview}" alt="{alt}"' in html
    drawn = client.get(_citizen_preview_path(case, sent, pdf), HTTP_HOST=ARACAJU, REMOTE_ADDR="198.51.100.9")
    shown = client.get(_citizen_preview_path(case, sent, photo), HTTP_HOST=ARACAJU)

    assert (drawn.status_code, drawn["Content-Type"]) == (200, "image/png")
    assert Image.open(io.BytesIO(drawn.content)).size == (800, 1133)
    assert "no-store" in drawn["Cache-Control"]
    assert drawn["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert (shown.status_code, shown.content) == (200, PNG)
    with tenant_context(aracaju):
        assert sorted(
            DocumentAccessLog.objects.filter(document=sent).values_list("user__email", "action", "ip_address")
        ) == [
            ("cidadao@exemplo.com.br", "view", "127.0.0.1"),
            ("cidadao@exemplo.com.br", "view", "198.51.100.9"),
        ]


def test_no_citizen_preview_of_an_internal_file_another_persons_case_or_another_city(
    aracaju, gravatai, media_root
):
    case, sent, internal = _citizens_case(aracaju, internal_pdf=True)
    with tenant_context(aracaju):
        laudo, pdf = internal.attachments.get(), sent.attachments.get(original_name="planta.pdf")

    html = client_as("citizen", aracaju).get(f"/protocolos/{nup_digits(nup=case.nup)}/", HTTP_HOST=ARACAJU)
    assert "laudo.pdf" not in html.content.decode()
    assert (
        client_as("citizen", aracaju)
        .get(_citizen_preview_path(case, internal, laudo), HTTP_HOST=ARACAJU)
        .status_code
        == 404
    )
    # a staff member of the case's unit is not its requester; Gravataí's citizen is in another city
    assert (
        client_as("staff", aracaju).get(_citizen_preview_path(case, sent, pdf), HTTP_HOST=ARACAJU).status_code
        == 404
    )
    other_city = client_as("citizen", gravatai).get(
        _citizen_preview_path(case, sent, pdf), HTTP_HOST=GRAVATAI
    )
    assert other_city.status_code == 404
    assert b"PNG" not in other_city.content
    with tenant_context(aracaju):
        assert not DocumentAccessLog.objects.filter(action="view").exists()


def test_a_tampered_file_is_refused_to_the_citizen(aracaju, media_root):
    case, sent, _staff_document = _citizens_case(aracaju)
    with tenant_context(aracaju):
        pdf = sent.attachments.get(original_name="planta.pdf")
        default_storage.delete(pdf.storage_name)
        default_storage.save(pdf.storage_name, ContentFile(PDF.replace(b"0 0 1 rg", b"1 0 0 rg")))

    response = client_as("citizen", aracaju).get(_citizen_preview_path(case, sent, pdf), HTTP_HOST=ARACAJU)

    assert response.status_code == 409
    assert "não confere com o registrado" in response.content.decode()
    with tenant_context(aracaju):
        assert not DocumentAccessLog.objects.filter(action="view").exists()
