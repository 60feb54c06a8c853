"""Devices point at the pilot identity (core.Pilot) instead of plan's project. Pilots share their
project's id (plan migration 0004 created them), so the column keeps its values."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("iot", "0005_partition_names"),
        ("core", "0009_pilots"),
        ("plan", "0004_pilots"),
    ]

    operations = [
        migrations.AlterField(
            model_name="device",
            name="project",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="iot_devices",
                to="core.pilot",
                verbose_name="pilot project",
            ),
        ),
    ]
