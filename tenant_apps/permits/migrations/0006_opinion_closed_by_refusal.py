"""Opinions not given when a request is refused end as "encerrado" (they read "aguardando" before);
the requests already refused get the same."""

from django.db import migrations, models

CLOSE = """
UPDATE permits_opinion o SET status = 'encerrado', due = NULL
FROM permits_permitrequest r
WHERE r.id = o.request_id AND r.refused_at IS NOT NULL AND o.status IN ('aguardando', 'pendente')
"""
REOPEN = "UPDATE permits_opinion SET status = 'aguardando' WHERE status = 'encerrado'"


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0005_wait_steps_and_exemptions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="opinion",
            name="status",
            field=models.CharField(
                choices=[
                    ("aguardando", "Aguardando a etapa anterior"),
                    ("pendente", "Pendente"),
                    ("favoravel", "Favorável"),
                    ("desfavoravel", "Desfavorável"),
                    ("encerrado", "Encerrado sem parecer: o pedido foi indeferido"),
                ],
                max_length=12,
            ),
        ),
        migrations.RunSQL(CLOSE, REOPEN),
    ]
