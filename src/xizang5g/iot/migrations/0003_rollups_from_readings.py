"""Rollups computed from the readings of closed minutes (RollupDirty) instead of per batch; fewer
indexes on the hot tables; room for in-place (HOT) updates and a time index for the rollup scans."""

import django.db.models.deletion
from django.db import migrations, models

# Rows updated in place on every message: leave room on each page so PostgreSQL can update them
# without touching the indexes (HOT updates).
FILLFACTOR = {"iot_latestvalue": 50, "iot_devicestatus": 50, "iot_readingrollup": 80}


# Time indexes for the rollup scans and the retention deletes. Readings and receipts arrive in
# time order, so on PostgreSQL a BRIN index does it for almost no write cost (partitions attached
# later get it from the parent).
TIME_INDEXES = {
    "iot_reading_time": ("iot_reading", "time"),
    "iot_receipt_received": ("iot_messagereceipt", "received_at"),
}


def tune(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cursor:
        for name, (table, column) in TIME_INDEXES.items():
            using = "USING brin " if postgresql else ""
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {using}({column})")
        if postgresql:
            for table, percent in FILLFACTOR.items():
                cursor.execute(f"ALTER TABLE {table} SET (fillfactor = {percent})")
            # Nothing looks a reading up by id: the (id, time) key only cost a b-tree insert per
            # reading. The column stays (Django's model keeps it as its key).
            cursor.execute("ALTER TABLE iot_reading DROP CONSTRAINT IF EXISTS iot_reading_pkey")


def untune(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in TIME_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        if schema_editor.connection.vendor == "postgresql":
            for table in FILLFACTOR:
                cursor.execute(f"ALTER TABLE {table} RESET (fillfactor)")
            cursor.execute("ALTER TABLE iot_reading ADD PRIMARY KEY (id, time)")


class Migration(migrations.Migration):
    dependencies = [
        ("iot", "0002_partition_readings"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollupDirty",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("minute", models.DateTimeField()),
                ("device_id", models.BigIntegerField(null=True)),
            ],
        ),
        migrations.RemoveIndex(
            model_name="readingrollup",
            name="iot_rollup_q",
        ),
        migrations.AlterField(
            model_name="latestvalue",
            name="device",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="latest_values",
                to="iot.device",
            ),
        ),
        migrations.AlterField(
            model_name="messagereceipt",
            name="device",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="iot.device",
            ),
        ),
        migrations.AlterField(
            model_name="readingrollup",
            name="device",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="iot.device",
            ),
        ),
        migrations.AlterField(
            model_name="messagereceipt",
            name="received_at",
            field=models.DateTimeField(),
        ),
        migrations.RunPython(tune, untune, elidable=False),
    ]
