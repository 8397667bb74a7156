"""Memo signatures become signatures of `tenant_apps.signatures`: each comms simple-signature row is
moved (not copied) into `signatures_signature` as a simple signature recorded without a PDF (who,
when, the SHA-256 of the signed text: Lei 14.063/2020, art. 4º, I), and the old table is dropped."""

from django.db import migrations


def forward(apps, schema_editor):
    MemoSignature = apps.get_model("comms", "MemoSignature")
    Signature = apps.get_model("signatures", "Signature")
    for row in MemoSignature.objects.select_related("memo").order_by("signed_at", "id").iterator():
        if Signature.objects.filter(version_id=row.document_version_id, signer_id=row.signer_id).exists():
            continue
        sequence = Signature.objects.filter(version_id=row.document_version_id).count() + 1
        signature = Signature.objects.create(
            document_id=row.memo.document_id,
            version_id=row.document_version_id,
            sequence=sequence,
            signer_id=row.signer_id,
            signer_name=row.signer_name,
            signer_cpf_masked="",
            level="simples",
            signed_at=row.signed_at,
            certificate_subject="",
            certificate_issuer="",
            is_certification=False,
            has_timestamp=False,
            body_sha256=row.body_sha256,
            pdf_name="",
            pdf_sha256="",
        )
        Signature.objects.filter(pk=signature.pk).update(created_at=row.created_at)
    MemoSignature.objects.all().delete()


def backward(apps, schema_editor):
    Memo = apps.get_model("comms", "Memo")
    MemoSignature = apps.get_model("comms", "MemoSignature")
    Signature = apps.get_model("signatures", "Signature")
    memo_by_document = dict(Memo.objects.values_list("document_id", "pk"))
    for row in Signature.objects.filter(document_id__in=list(memo_by_document), pdf_name="").order_by("id"):
        MemoSignature.objects.create(
            memo_id=memo_by_document[row.document_id],
            document_version_id=row.version_id,
            signer_id=row.signer_id,
            signer_name=row.signer_name,
            signed_at=row.signed_at,
            body_sha256=row.body_sha256,
            level="simples",
        )
        row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comms", "0001_initial"),
        ("signatures", "0002_signature_recorded_without_pdf"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="MemoSignature"),
    ]
