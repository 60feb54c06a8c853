"""Readings partitions take the name every partitioned table uses: iot_reading_YYYYMM ->
iot_reading_pYYYYMM (xizang5g.core.partitions). A no-op on SQLite and on fresh databases."""

from django.db import migrations

from xizang5g.core.partitions import partitions_rename_legacy

LEGACY = r"iot_reading_(?P<year>\d{4})(?P<month>\d{2})"


def forwards(apps, schema_editor):
    partitions_rename_legacy(
        "iot_reading", legacy=LEGACY, using=schema_editor.connection.alias
    )


def backwards(apps, schema_editor):
    partitions_rename_legacy(
        "iot_reading",
        legacy=r"iot_reading_p(?P<year>\d{4})(?P<month>\d{2})",
        using=schema_editor.connection.alias,
        template="iot_reading_{year}{month}",
    )


class Migration(migrations.Migration):
    dependencies = [("iot", "0004_receipts_without_foreign_key")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
