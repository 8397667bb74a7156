"""Previews of attachments for the staff pages: an image as it is, a PDF's first page as a PNG.

The PDF page is drawn on the server by PDFium (pypdfium2, the engine of Chromium's own PDF
viewer), so the browser never runs an uploaded PDF and the preview is an ordinary image served by
the protected attachment view. PDFium is not thread-safe: one render at a time per process.
"""

from __future__ import annotations

import io
import math
import threading

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
PDF_TYPE = "application/pdf"
# wide enough to read a form or a plan on a desktop, small enough for a phone's data plan
PREVIEW_WIDTH = 800
# a page of absurd proportions (a 1-point-wide strip, a kilometre-long roll) is drawn smaller
MAX_PREVIEW_PIXELS = PREVIEW_WIDTH * PREVIEW_WIDTH * 2

_pdfium_lock = threading.Lock()


class PreviewUnavailable(Exception):  # noqa: N818 - a condition, not a failure of the request
    """The file has no page that can be drawn (damaged, password-protected, empty)."""


def attachment_has_preview(content_type: str) -> bool:
    return content_type in IMAGE_TYPES or content_type == PDF_TYPE


def pdf_first_page_png(data: bytes, *, width: int = PREVIEW_WIDTH) -> bytes:
    """The first page of the PDF `data`, `width` pixels wide (less for extreme proportions)."""
    import pypdfium2 as pdfium

    with _pdfium_lock:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            raise PreviewUnavailable(str(error)) from error
        try:
            if len(pdf) == 0:
                raise PreviewUnavailable("no pages")
            page = pdf[0]
            try:
                points_wide, points_high = page.get_size()
                if points_wide < 1 or points_high < 1:
                    raise PreviewUnavailable("empty page")
                # PDFium rounds the bitmap's size up: a hair under the exact scale keeps `width`
                scale = min(
                    width / points_wide, math.sqrt(MAX_PREVIEW_PIXELS / (points_wide * points_high))
                ) * (1 - 1e-9)
                bitmap = page.render(scale=scale)
                image = bitmap.to_pil()
            except pdfium.PdfiumError as error:
                raise PreviewUnavailable(str(error)) from error
            finally:
                page.close()
        finally:
            pdf.close()
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()
