"""The municipal admin's branding page (/admin-municipal/marca/) and the coat of arms it serves."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import tenant_context
from PIL import Image, ImageFile, PngImagePlugin

from paco.errors import ApplicationError
from tenants.branding import WHITE, contrast_ratio
from tenants.models import Municipality
from tenants.services import municipality_branding_update
from tests.conftest import client_for

PAGE = "/admin-municipal/marca/"
COAT = "/marca/brasao.svg"
HOST = "aracaju.localhost"
CSP = "default-src 'none'; style-src 'unsafe-inline'"
ARACAJU_BRANDING = {
    "display_name": "Prefeitura Municipal de Aracaju",
    "primary_color": "#0b4f9c",
    "secondary_color": "#f2b705",
    "coat_of_arms": "branding/brasao.svg",
}


@pytest.fixture
def media(settings, tmp_path):
    """Uploads of the test go to a folder of its own (file writes are not rolled back)."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _branding(slug: str) -> dict[str, str]:
    row = Municipality.objects.get(slug=slug)
    return {
        "display_name": row.display_name,
        "primary_color": row.primary_color,
        "secondary_color": row.secondary_color,
        "coat_of_arms": row.coat_of_arms,
    }


def _stored_files(media) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), media)
        for folder, _dirs, names in os.walk(media)
        for name in names
    )


def _image(image_format: str, size: tuple[int, int] = (120, 140), **save: object) -> bytes:
    image = Image.new("RGB", size, (11, 79, 156))
    image.paste((242, 183, 5), (10, 10, 60, 60))
    output = io.BytesIO()
    image.save(output, format=image_format, **save)
    return output.getvalue()


def _png_with_metadata() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "autor: Fulano Segredo")
    return _image("PNG", pnginfo=info)


def _post(client: Client, upload: bytes | None = None, name: str = "brasao.png", **fields: str):
    data: dict[str, object] = {
        "display_name": "Prefeitura de Aracaju",
        "primary_color": "#123c6e",
        "secondary_color": "#e0a100",
        **fields,
    }
    if upload is not None:
        data["coat_of_arms"] = SimpleUploadedFile(name, upload, content_type="image/png")
    return client.post(PAGE, data, HTTP_HOST=HOST)


@pytest.mark.parametrize(
    ("image_format", "save"),
    [("PNG", {}), ("JPEG", {"exif": "Segredo EXIF"}), ("WEBP", {})],
)
def test_an_uploaded_coat_of_arms_is_re_encoded_as_png_and_served_as_such(
    aracaju, media, django_capture_on_commit_callbacks, image_format, save
):
    # given
    if image_format == "PNG":
        upload = _png_with_metadata()
    else:
        exif = Image.Exif()
        exif[0x010E] = save.get("exif", "")  # ImageDescription
        upload = _image(image_format, exif=exif.tobytes())
        assert b"Segredo" in upload or not save
    admin = client_for("admin", aracaju)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(admin, upload)
    served = Client().get(COAT, HTTP_HOST=HOST)

    # then
    assert response.status_code == 302
    assert response["Location"] == PAGE
    body = b"".join(served.streaming_content)
    name = f"branding/brasao-{hashlib.sha256(body).hexdigest()[:16]}.png"
    assert _branding("aracaju") == {
        "display_name": "Prefeitura de Aracaju",
        "primary_color": "#123c6e",
        "secondary_color": "#e0a100",
        "coat_of_arms": name,
    }
    assert _stored_files(media) == [f"aracaju/{name}"]
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == CSP
    assert served["ETag"] == f'"{name}"'
    image = Image.open(io.BytesIO(body))
    assert (image.format, image.size, image.mode) == ("PNG", (120, 140), "RGB")
    assert image.info == {}
    assert b"Segredo" not in body
    assert b"Exif" not in body


def test_the_generated_svg_is_served_as_svg_with_the_same_headers(aracaju):
    response = Client().get(COAT, HTTP_HOST=HOST)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == CSP
    assert b"".join(response.streaming_content).startswith(b"<svg")


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)


def _noise_png(side: int) -> bytes:
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SVG, "Arquivos SVG não são aceitos. Envie o brasão em PNG, JPEG ou WebP."),
        (
            b"  \n<svg viewBox='0 0 1 1'/>",
            "Arquivos SVG não são aceitos. Envie o brasão em PNG, JPEG ou WebP.",
        ),
        (
            b"Brasao da cidade em texto simples",
            "O arquivo não é uma imagem PNG, JPEG ou WebP válida. Envie o brasão em um desses formatos.",
        ),
        (_image("GIF"), "Formato GIF não aceito. Envie o brasão em PNG, JPEG ou WebP."),
        (_image("PNG", size=(2001, 20)), "A imagem tem 2001×20 pixels; o limite é 2000×2000."),
        (
            _image("PNG")[:60],
            "O arquivo não é uma imagem PNG, JPEG ou WebP válida. Envie o brasão em um desses formatos.",
        ),
        (
            _noise_png(40)[:2500],
            "O arquivo não é uma imagem PNG, JPEG ou WebP válida. Envie o brasão em um desses formatos.",
        ),
    ],
    ids=["svg", "svg-without-declaration", "text", "gif", "too-wide", "truncated", "half"],
)
@pytest.mark.parametrize("load_truncated_images", [False, True])  # WeasyPrint turns it on when imported
def test_a_refused_upload_changes_nothing(
    aracaju, media, monkeypatch, upload, message, load_truncated_images
):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated_images)
    admin = client_for("admin", aracaju)

    response = _post(admin, upload)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _branding("aracaju") == ARACAJU_BRANDING
    assert _stored_files(media) == []


def test_an_upload_over_1_mb_is_refused(aracaju, media):
    upload = _noise_png(620)
    assert len(upload) > 1024 * 1024
    admin = client_for("admin", aracaju)

    response = _post(admin, upload)

    assert response.status_code == 400
    kilobytes = -(-len(upload) // 1024)
    assert f"O arquivo tem {kilobytes} KB; o limite é 1 MB (1024 KB)." in response.content.decode()
    assert _branding("aracaju") == ARACAJU_BRANDING
    assert _stored_files(media) == []


def test_a_primary_colour_without_contrast_for_white_text_is_refused(aracaju, media):
    admin = client_for("admin", aracaju)

    response = _post(admin, _image("PNG"), primary_color="#ffcd07")

    assert response.status_code == 400
    assert round(contrast_ratio(WHITE, "#ffcd07"), 2) == 1.50
    assert (
        "O texto branco sobre a cor primária #ffcd07 tem contraste de 1,50:1, abaixo do mínimo de 4,5:1"
        " exigido para leitura (WCAG AA). Escolha uma cor mais escura."
    ) in response.content.decode()
    assert _branding("aracaju") == ARACAJU_BRANDING
    assert _stored_files(media) == []


def test_an_invalid_colour_is_refused(aracaju, media):
    response = _post(client_for("admin", aracaju), primary_color="azul")

    assert response.status_code == 400
    assert "Informe a cor no formato #RRGGBB." in response.content.decode()
    assert _branding("aracaju") == ARACAJU_BRANDING


def test_the_service_refuses_bad_input_without_touching_the_row_or_storage(aracaju, media):
    with pytest.raises(ApplicationError) as refused:
        municipality_branding_update(
            municipality=aracaju,
            display_name="Outro nome",
            primary_color="#000000",
            secondary_color="#ffffff",
            coat_of_arms=SVG,
        )

    assert refused.value.message == "Arquivos SVG não são aceitos. Envie o brasão em PNG, JPEG ou WebP."
    assert refused.value.extra == {"field": "coat_of_arms"}
    assert aracaju.display_name == "Prefeitura Municipal de Aracaju"
    assert _branding("aracaju") == ARACAJU_BRANDING
    assert _stored_files(media) == []


def test_the_same_image_twice_is_stored_once(aracaju, media):
    upload = _image("PNG")
    first = municipality_branding_update(
        municipality=aracaju,
        display_name="Prefeitura de Aracaju",
        primary_color="#123c6e",
        secondary_color="#e0a100",
        coat_of_arms=upload,
    )
    second = municipality_branding_update(
        municipality=aracaju,
        display_name="Prefeitura de Aracaju",
        primary_color="#123c6e",
        secondary_color="#e0a100",
        coat_of_arms=upload,
    )

    assert second.coat_of_arms == first.coat_of_arms
    assert _stored_files(media) == [f"aracaju/{first.coat_of_arms}"]
    with tenant_context(aracaju):
        from django.core.files.storage import default_storage

        assert default_storage.exists(first.coat_of_arms)


def test_the_portal_shows_the_new_colours_and_name_and_gravatai_is_unaffected(
    aracaju, gravatai, media, django_capture_on_commit_callbacks
):
    # given: both hosts resolved (and cached) before the change
    Client().get("/", HTTP_HOST=HOST)
    Client().get("/", HTTP_HOST="gravatai.localhost")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client_for("admin", aracaju), display_name="Prefeitura da Capital Sergipana")
    home = Client().get("/", HTTP_HOST=HOST).content.decode()
    other = Client().get("/", HTTP_HOST="gravatai.localhost").content.decode()

    # then
    assert response.status_code == 302
    assert "--paco-primary: #123c6e;" in home
    assert "--paco-secondary: #e0a100;" in home
    assert "Prefeitura da Capital Sergipana" in home
    assert "--paco-primary: #1b6e3a;" in other
    assert "--paco-secondary: #c8102e;" in other
    assert "Prefeitura Municipal de Gravataí" in other
    assert "#123c6e" not in other
    assert "Capital Sergipana" not in other
    assert _branding("gravatai") == {
        "display_name": "Prefeitura Municipal de Gravataí",
        "primary_color": "#1b6e3a",
        "secondary_color": "#c8102e",
        "coat_of_arms": "branding/brasao.svg",
    }


def test_the_page_shows_the_form_and_the_preview(aracaju):
    response = client_for("admin", aracaju).get(PAGE, HTTP_HOST=HOST)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="display_name"' in body
    assert 'value="#0b4f9c"' in body
    assert 'id="previa-marca"' in body
    assert 'accept="image/png,image/jpeg,image/webp"' in body


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_other_staff_get_404_and_change_nothing(aracaju, media, role):
    client = client_for(role, aracaju)

    page = client.get(PAGE, HTTP_HOST=HOST)
    response = _post(client, _image("PNG"))

    assert page.status_code == 404
    assert response.status_code == 404
    assert _branding("aracaju") == ARACAJU_BRANDING
    assert _stored_files(media) == []


@pytest.mark.parametrize("role", ["anonymous", "citizen"])
def test_anonymous_and_citizens_are_sent_to_the_staff_login(aracaju, media, role):
    client = client_for(role, aracaju)

    page = client.get(PAGE, HTTP_HOST=HOST)
    response = _post(client, _image("PNG"))

    assert page.status_code == 302
    assert page["Location"] == "/staff/entrar/?next=/admin-municipal/marca/"
    assert response.status_code == 302
    assert _branding("aracaju") == ARACAJU_BRANDING
    assert _stored_files(media) == []


def test_the_municipal_admin_page_links_to_branding_and_team(aracaju):
    body = client_for("admin", aracaju).get("/admin-municipal/", HTTP_HOST=HOST).content.decode()

    assert 'href="/admin-municipal/marca/"' in body
    assert 'href="/admin-municipal/equipe/"' in body
