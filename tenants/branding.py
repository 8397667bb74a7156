"""A city's branding: the generated emblem until the city uploads its coat of arms (no
third-party artwork: a shield in the city's colours), the colour contrast rule and the checks on
an uploaded coat of arms."""

import hashlib
import io
import os
from html import escape

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

COAT_OF_ARMS_NAME = "branding/brasao.svg"


def initials(name: str) -> str:
    words = [word for word in name.replace("-", " ").split() if word[:1].isupper()]
    letters = "".join(word[0] for word in words[:2]) or name[:2].upper()
    return letters.upper()


def coat_of_arms_svg(*, name: str, state: str, primary_color: str, secondary_color: str) -> str:
    label = escape(initials(name))
    title = escape(f"Emblema de {name} ({state})")
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 140" role="img" aria-label="{title}">
  <title>{title}</title>
  <path d="M10 10 H110 V70 C110 105 85 125 60 135 C35 125 10 105 10 70 Z"
        fill="{primary_color}" stroke="{secondary_color}" stroke-width="6"/>
  <path d="M10 45 H110" stroke="{secondary_color}" stroke-width="4"/>
  <circle cx="60" cy="27" r="9" fill="{secondary_color}"/>
  <text x="60" y="95" text-anchor="middle" font-family="sans-serif" font-size="34"
        font-weight="bold" fill="#ffffff">{label}</text>
  <text x="60" y="120" text-anchor="middle" font-family="sans-serif" font-size="12"
        fill="#ffffff">{escape(state)}</text>
</svg>
"""


# Colours -----------------------------------------------------------------------------------------

MINIMUM_CONTRAST = 4.5  # WCAG 2.1 AA, normal text (success criterion 1.4.3)
WHITE = "#ffffff"


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""
    red, green, blue = (int(color[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(foreground: str, background: str) -> float:
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# Uploaded coat of arms -------------------------------------------------------------------------------

COAT_OF_ARMS_MAX_BYTES = 1024 * 1024
COAT_OF_ARMS_MAX_SIDE = 2000
COAT_OF_ARMS_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
COAT_OF_ARMS_CONTENT_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


class CoatOfArmsRefused(ValueError):
    """The upload is not an acceptable coat of arms; the message is for the person (Portuguese)."""


def _looks_like_markup(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") or b"<svg" in head


def coat_of_arms_png(data: bytes) -> bytes:
    """Check an uploaded image by its content and re-encode it as a PNG without any metadata.

    Only PNG, JPEG and WebP are accepted, up to 1 MB and 2000×2000 px. SVG is refused: it can carry
    scripts, and the file is served from the city's own host.
    """
    if len(data) > COAT_OF_ARMS_MAX_BYTES:
        raise CoatOfArmsRefused(
            _("O arquivo tem %(size)s KB; o limite é 1 MB (1024 KB).") % {"size": -(-len(data) // 1024)}
        )
    if _looks_like_markup(data):
        raise CoatOfArmsRefused(_("Arquivos SVG não são aceitos. Envie o brasão em PNG, JPEG ou WebP."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in COAT_OF_ARMS_FORMATS:
                raise CoatOfArmsRefused(
                    _("Formato %(format)s não aceito. Envie o brasão em PNG, JPEG ou WebP.")
                    % {"format": image.format}
                )
            width, height = image.size
            if width > COAT_OF_ARMS_MAX_SIDE or height > COAT_OF_ARMS_MAX_SIDE:
                raise CoatOfArmsRefused(
                    _("A imagem tem %(width)s×%(height)s pixels; o limite é 2000×2000.")
                    % {"width": width, "height": height}
                )
            # WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process: check the
            # file's structure (PNG chunk checksums) on a separate handle before decoding it.
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            image.load()
            upright = ImageOps.exif_transpose(image)
            mode = (
                "RGBA"
                if upright.mode in ("RGBA", "LA", "P", "PA") or "transparency" in upright.info
                else "RGB"
            )
            clean = upright.convert(mode)
            clean.info = {}
            output = io.BytesIO()
            clean.save(output, format="PNG", optimize=True)
    except CoatOfArmsRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise CoatOfArmsRefused(
            _("O arquivo não é uma imagem PNG, JPEG ou WebP válida. Envie o brasão em um desses formatos.")
        ) from error
    return output.getvalue()


def coat_of_arms_upload_name(png: bytes) -> str:
    """A content-addressed name, so a new coat of arms gets a new name (and browsers fetch it)."""
    return f"branding/brasao-{hashlib.sha256(png).hexdigest()[:16]}.png"


def coat_of_arms_content_type(name: str) -> str:
    return COAT_OF_ARMS_CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")
