from django.db import migrations, models
from django.utils import timezone


def metering_from_now(apps, schema_editor):
    """Customers that exist already are metered from the deployment of metering on."""
    Subscription = apps.get_model("billing", "Subscription")
    Subscription.objects.exclude(stripe_customer_id="").update(metering_since=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="metering_since",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(metering_from_now, migrations.RunPython.noop),
    ]
