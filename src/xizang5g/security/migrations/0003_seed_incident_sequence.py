"""Seed the shared yearly counter of incident codes (core.Sequence "security.incident") from the
codes already given, INC-<year>-NNNN, so the next incident continues after the last."""

import re

from django.db import migrations

NAME = "security.incident"
CODE = re.compile(r"^INC-(\d{4})-(\d+)$")


def seed(apps, schema_editor):
    Sequence = apps.get_model("core", "Sequence")
    Incident = apps.get_model("security", "Incident")
    last: dict[int, int] = {}
    for code in Incident.objects.values_list("code", flat=True).iterator():
        found = CODE.match(code)
        if found:
            year, value = int(found[1]), int(found[2])
            last[year] = max(last.get(year, 0), value)
    for year, value in last.items():
        Sequence.objects.update_or_create(name=NAME, year=year, defaults={"value": value})


def unseed(apps, schema_editor):
    apps.get_model("core", "Sequence").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_sequence"), ("security", "0002_partition_names")]
    operations = [migrations.RunPython(seed, unseed)]
