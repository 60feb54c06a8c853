"""Every existing project gets its pilot identity (core.Pilot, same id)."""

from django.db import connection, migrations


def create_pilots(apps, schema_editor):
    Project = apps.get_model("plan", "Project")
    Pilot = apps.get_model("core", "Pilot")
    for project in Project.objects.select_related("industry").prefetch_related(
        "participating_units"
    ):
        pilot = Pilot.objects.create(
            pk=project.pk,
            code=project.code,
            name=project.name,
            lead_unit_id=project.lead_unit_id,
            industry_code=project.industry.code,
            is_demo=project.is_demo,
        )
        readers = {unit.pk for unit in project.participating_units.all()}
        if project.operator_id:
            readers.add(project.operator_id)
        readers.discard(project.lead_unit_id)
        pilot.units.set(readers)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('core_pilot', 'id'), "
                "COALESCE((SELECT MAX(id) FROM core_pilot), 1))"
            )


def drop_pilots(apps, schema_editor):
    apps.get_model("core", "Pilot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plan", "0003_private_files"),
        ("core", "0009_pilots"),
    ]

    operations = [migrations.RunPython(create_pilots, drop_pilots)]
