"""RequestToken becomes ClientRequest: besides the token, what the client sent (location, media),
moved out of the case's form data (`form_data["_open311"]`), where the Open311 app kept it before."""

from decimal import Decimal, InvalidOperation

from django.db import migrations, models

NINE_PLACES = Decimal("0.000000001")


def _decimal(value):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError):
        return None
    return number.quantize(NINE_PLACES) if number.is_finite() else None


def copy_what_the_client_sent(apps, schema_editor):
    ClientRequest = apps.get_model("open311", "ClientRequest")
    for request in ClientRequest.objects.select_related("case").iterator():
        sent = request.case.form_data.get("_open311") or {}
        request.lat = _decimal(sent["lat"]) if sent.get("lat") not in (None, "") else None
        request.long = _decimal(sent["long"]) if sent.get("long") not in (None, "") else None
        request.media_url = str(sent.get("media_url") or "")[:1000]
        request.address_string = str(sent.get("address_string") or "")[:500]
        request.save(update_fields=["lat", "long", "media_url", "address_string"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_document_visibility"),
        ("open311", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("RequestToken", "ClientRequest"),
        migrations.AlterModelOptions(
            name="clientrequest",
            options={
                "verbose_name": "solicitação recebida pelo Open311",
                "verbose_name_plural": "solicitações recebidas pelo Open311",
            },
        ),
        migrations.AlterField(
            model_name="clientrequest",
            name="case",
            field=models.OneToOneField(
                on_delete=models.deletion.CASCADE, related_name="open311_request", to="cases.case"
            ),
        ),
        migrations.AlterField(
            model_name="clientrequest",
            name="client",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT, related_name="requests", to="open311.apiclient"
            ),
        ),
        migrations.AddField(
            model_name="clientrequest",
            name="address_string",
            field=models.CharField(blank=True, max_length=500, verbose_name="endereço enviado"),
        ),
        migrations.AddField(
            model_name="clientrequest",
            name="address_id",
            field=models.CharField(blank=True, max_length=100, verbose_name="código de endereço enviado"),
        ),
        migrations.AddField(
            model_name="clientrequest",
            name="lat",
            field=models.DecimalField(
                blank=True, decimal_places=9, max_digits=12, null=True, verbose_name="latitude"
            ),
        ),
        migrations.AddField(
            model_name="clientrequest",
            name="long",
            field=models.DecimalField(
                blank=True, decimal_places=9, max_digits=12, null=True, verbose_name="longitude"
            ),
        ),
        migrations.AddField(
            model_name="clientrequest",
            name="media_url",
            field=models.URLField(blank=True, max_length=1000, verbose_name="URL de mídia"),
        ),
        migrations.RunPython(copy_what_the_client_sent, migrations.RunPython.noop),
    ]
