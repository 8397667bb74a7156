"""Tenant file storage: every file lives under its schema's folder (disk) or prefix (S3)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django_tenants.utils import tenant_context
from moto.server import ThreadedMotoServer

from paco.storage import TenantFileSystemStorage, TenantS3Storage

BUCKET = "paco-test-arquivos"
REGION = "sa-east-1"


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files_under(path: Any) -> list[str]:
    return sorted(str(item.relative_to(path)) for item in path.rglob("*") if item.is_file())


def test_filesystem_storage_writes_under_the_schema_folder(media_root, aracaju, gravatai):
    storage = TenantFileSystemStorage()

    # when
    with tenant_context(aracaju):
        name = storage.save("documentos/oficio.txt", ContentFile(b"oficio de Aracaju"))
        url = storage.url(name)

    # then
    assert name == "documentos/oficio.txt"
    assert url == "/media/aracaju/documentos/oficio.txt"
    assert _files_under(media_root) == ["aracaju/documentos/oficio.txt"]
    assert (media_root / "aracaju" / "documentos" / "oficio.txt").read_bytes() == b"oficio de Aracaju"
    with tenant_context(aracaju):
        assert storage.exists("documentos/oficio.txt") is True
        with storage.open("documentos/oficio.txt", "rb") as stored:
            assert stored.read() == b"oficio de Aracaju"


def test_filesystem_storage_file_is_invisible_to_another_tenant(media_root, aracaju, gravatai):
    # given
    storage = TenantFileSystemStorage()
    with tenant_context(aracaju):
        storage.save("documentos/oficio.txt", ContentFile(b"oficio de Aracaju"))

    # when / then
    with tenant_context(gravatai):
        assert storage.exists("documentos/oficio.txt") is False
        with pytest.raises(FileNotFoundError):
            storage.open("documentos/oficio.txt", "rb")
        # the same name in Gravataí is a different file
        storage.save("documentos/oficio.txt", ContentFile(b"oficio de Gravatai"))

    assert _files_under(media_root) == ["aracaju/documentos/oficio.txt", "gravatai/documentos/oficio.txt"]
    with tenant_context(aracaju):
        with storage.open("documentos/oficio.txt", "rb") as stored:
            assert stored.read() == b"oficio de Aracaju"


def test_filesystem_storage_refuses_names_that_climb_into_another_tenant(media_root, aracaju):
    storage = TenantFileSystemStorage()

    with tenant_context(aracaju):
        with pytest.raises(SuspiciousFileOperation):
            storage.save("../gravatai/segredo.txt", ContentFile(b"x"))
        with pytest.raises(SuspiciousFileOperation):
            storage.open("../gravatai/segredo.txt", "rb")

    assert not media_root.exists() or _files_under(media_root) == []


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[str]:
    # Dummy credentials and no shared config, so nothing can ever reach AWS.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # The server threads share moto's in-process state: start every test from an empty account.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
        _s3_client(endpoint).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield endpoint
    finally:
        server.stop()


def _s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _s3_storage(endpoint: str) -> TenantS3Storage:
    # Everything else (signature version, ACL, overwrite, expiry) comes from the settings.
    return TenantS3Storage(
        bucket_name=BUCKET,
        endpoint_url=endpoint,
        access_key="testing",
        secret_key="testing",
        region_name=REGION,
    )


def _bucket_keys(endpoint: str) -> list[str]:
    listing = _s3_client(endpoint).list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_s3_storage_writes_under_the_schema_prefix(s3_endpoint, aracaju):
    storage = _s3_storage(s3_endpoint)

    # when
    with tenant_context(aracaju):
        name = storage.save("documentos/oficio.txt", ContentFile(b"oficio de Aracaju"))

    # then
    assert name == "documentos/oficio.txt"
    assert _bucket_keys(s3_endpoint) == ["aracaju/documentos/oficio.txt"]
    stored = _s3_client(s3_endpoint).get_object(Bucket=BUCKET, Key="aracaju/documentos/oficio.txt")
    assert stored["Body"].read() == b"oficio de Aracaju"
    with tenant_context(aracaju):
        assert storage.exists("documentos/oficio.txt") is True
        with storage.open("documentos/oficio.txt", "rb") as opened:
            assert opened.read() == b"oficio de Aracaju"


def test_s3_storage_file_is_invisible_to_another_tenant(s3_endpoint, aracaju, gravatai):
    # given
    storage = _s3_storage(s3_endpoint)
    with tenant_context(aracaju):
        storage.save("documentos/oficio.txt", ContentFile(b"oficio de Aracaju"))

    # when / then
    with tenant_context(gravatai):
        assert storage.exists("documentos/oficio.txt") is False
        with pytest.raises(FileNotFoundError):
            storage.open("documentos/oficio.txt", "rb")
        assert storage.listdir("documentos") == ([], [])
    assert _bucket_keys(s3_endpoint) == ["aracaju/documentos/oficio.txt"]


def test_s3_storage_signs_urls_with_sigv4_and_private_objects(s3_endpoint, aracaju):
    storage = _s3_storage(s3_endpoint)

    with tenant_context(aracaju):
        name = storage.save("documentos/oficio.txt", ContentFile(b"oficio de Aracaju"))
        url = storage.url(name)

    assert storage.signature_version == "s3v4"
    assert storage.default_acl is None
    assert url.startswith(f"{s3_endpoint}/{BUCKET}/aracaju/documentos/oficio.txt?")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url
    assert "X-Amz-Expires=300" in url
    grants = _s3_client(s3_endpoint).get_object_acl(Bucket=BUCKET, Key="aracaju/documentos/oficio.txt")[
        "Grants"
    ]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
