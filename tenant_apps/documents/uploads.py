"""A file someone sends with a request, a memo or an answer, before it is stored as an attachment.

Every module that accepts files takes a sequence of `Upload` and hands each one to
`documents.services.attachment_store`, which checks its content and records its SHA-256.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict

DEFAULT_UPLOAD_NAME = "arquivo"


@dataclass(frozen=True)
class Upload:
    name: str
    file: IO[bytes]
    label: str = ""


def uploads_from_files(
    files: MultiValueDict[str, UploadedFile],
    labels: Mapping[str, str],
    *,
    default_name: str = DEFAULT_UPLOAD_NAME,
) -> list[Upload]:
    """The files of a request's `FILES` under each input name in `labels`, labelled with its value."""
    return [
        Upload(name=upload.name or default_name, file=upload, label=label)
        for field_name, label in labels.items()
        for upload in files.getlist(field_name)
    ]
