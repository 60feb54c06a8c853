"""Seed the shared yearly counter of project codes (core.Sequence "plan.project") from the codes
already given, P<year>-NNN, so the next registration continues after the last."""

import re

from django.db import migrations

NAME = "plan.project"
CODE = re.compile(r"^P(\d{4})-(\d+)$")


def seed(apps, schema_editor):
    Sequence = apps.get_model("core", "Sequence")
    Project = apps.get_model("plan", "Project")
    last: dict[int, int] = {}
    for code in Project.objects.values_list("code", flat=True).iterator():
        found = CODE.match(code)
        if found:
            year, value = int(found[1]), int(found[2])
            last[year] = max(last.get(year, 0), value)
    for year, value in last.items():
        Sequence.objects.update_or_create(name=NAME, year=year, defaults={"value": value})


def unseed(apps, schema_editor):
    apps.get_model("core", "Sequence").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_sequence"), ("plan", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
