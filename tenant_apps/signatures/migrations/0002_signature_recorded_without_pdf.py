from django.db import migrations, models


class Migration(migrations.Migration):
    """Signatures recorded without a PDF: the memo simple signatures made before memos moved onto this
    module (converted by comms migration 0002) have no PAdES PDF nor certificate."""

    dependencies = [
        ("signatures", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="signature",
            name="certificate_issuer",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AlterField(
            model_name="signature",
            name="certificate_subject",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AlterField(
            model_name="signature",
            name="pdf_name",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="signature",
            name="pdf_sha256",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
