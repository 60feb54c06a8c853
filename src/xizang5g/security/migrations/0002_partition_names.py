"""Event partitions take the name every partitioned table uses: security_securityevent_yYYYYmMM ->
security_securityevent_pYYYYMM (xizang5g.core.partitions). A no-op on SQLite and on fresh
databases."""

from django.db import migrations

from xizang5g.core.partitions import partitions_rename_legacy

TABLE = "security_securityevent"


def forwards(apps, schema_editor):
    partitions_rename_legacy(
        TABLE,
        legacy=TABLE + r"_y(?P<year>\d{4})m(?P<month>\d{2})",
        using=schema_editor.connection.alias,
    )


def backwards(apps, schema_editor):
    partitions_rename_legacy(
        TABLE,
        legacy=TABLE + r"_p(?P<year>\d{4})(?P<month>\d{2})",
        template=TABLE + "_y{year}m{month}",
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
