"""The hostile uploads of issue 10, made on the fly (no binary fixtures in the repository).

Each entry: (name, content, why it must be refused). `corpus(small=True)` keeps the zip bomb small
enough for `make test` (the test lowers the unpacked-size limit to match); `make soak` uses the
full-size one (1 GiB unpacked from about 1 MB).
"""

from __future__ import annotations

import io
import zipfile

from tests.factories import pdf_bytes

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120


def _zip(entries: dict[str, bytes], *, repeat: int = 1) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        for name, content in entries.items():
            for copy in range(repeat):
                archive.writestr(f"{copy}/{name}" if repeat > 1 else name, content)
    return output.getvalue()


def zip_bomb(unpacked_bytes: int) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            block = b"\x00" * (1024 * 1024)
            for _ in range(unpacked_bytes // len(block)):
                entry.write(block)
    return output.getvalue()


def corpus(*, small: bool = True) -> list[tuple[str, bytes, str]]:
    pdf = pdf_bytes()
    return [
        ("polyglota.pdf", pdf[:9] + b"%" + HTML + b"\n" + pdf[9:], "PDF/HTML polyglot"),
        ("falso.pdf", b"%PDF-1.4\n% nada aqui\n%%EOF\n", "not a valid PDF"),
        ("programa.pdf", ELF, "an executable named .pdf"),
        ("pagina.pdf", HTML, "HTML named .pdf"),
        ("notas.txt", b"texto comum\n" * 800 + HTML, "<script> after the first 8 KiB of a text"),
        ("pagina.txt", HTML, "HTML named .txt"),
        ("imagem.png", SVG, "SVG with a script named .png"),
        ("latin1.txt", "ação".encode("latin-1"), "text that is not UTF-8"),
        ("bomba.docx", zip_bomb(8 * 1024 * 1024 if small else 1024 * 1024 * 1024), "zip bomb"),
        ("muitos.docx", _zip({"x.xml": b"<x/>"}, repeat=2500), "too many zip entries"),
        ("quebrado.docx", b"PK\x03\x04" + b"\x00" * 200, "a broken zip named .docx"),
    ]
