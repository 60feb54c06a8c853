"""Receipts keep their device id without a foreign key constraint (see MessageReceipt.device)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("iot", "0003_rollups_from_readings"),
    ]

    operations = [
        migrations.AlterField(
            model_name="messagereceipt",
            name="device",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="iot.device",
            ),
        ),
    ]
