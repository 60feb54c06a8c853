"""On PostgreSQL, make iot_reading a table partitioned by month on `time` (PK (id, time))."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from xizang5g.iot import storage

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(storage.CREATE_PARTITIONED)
    storage.partitions_ensure()


def backwards(apps, schema_editor):
    pass  # the partitioned table is dropped with the model by the reversal of 0001


class Migration(migrations.Migration):
    dependencies = [("iot", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
