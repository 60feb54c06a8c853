"""Seed the shared yearly counter of coordination case numbers (core.Sequence "network.case")
from the numbers already given, XZ-GR-<year>-NNNN, so the next case continues after the last."""

import re

from django.db import migrations

NAME = "network.case"
NUMBER = re.compile(r"^XZ-GR-(\d{4})-(\d+)$")


def seed(apps, schema_editor):
    Sequence = apps.get_model("core", "Sequence")
    CoordinationCase = apps.get_model("network", "CoordinationCase")
    last: dict[int, int] = {}
    for number in CoordinationCase.objects.values_list("number", flat=True).iterator():
        found = NUMBER.match(number)
        if found:
            year, value = int(found[1]), int(found[2])
            last[year] = max(last.get(year, 0), value)
    for year, value in last.items():
        Sequence.objects.update_or_create(name=NAME, year=year, defaults={"value": value})


def unseed(apps, schema_editor):
    apps.get_model("core", "Sequence").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_sequence"), ("network", "0002_studypair_bulk_results")]
    operations = [migrations.RunPython(seed, unseed)]
