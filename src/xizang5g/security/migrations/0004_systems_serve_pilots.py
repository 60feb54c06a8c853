"""Information systems point at pilot identities (core.Pilot) instead of plan's projects; pilots
share their project's id (plan migration 0004), so the links carry over as they are."""

from django.db import migrations, models


def copy_links(apps, schema_editor):
    System = apps.get_model("security", "InformationSystem")
    for system in System.objects.prefetch_related("projects"):
        system.pilots.set([project.pk for project in system.projects.all()])


def copy_back(apps, schema_editor):
    System = apps.get_model("security", "InformationSystem")
    for system in System.objects.prefetch_related("pilots"):
        system.projects.set([pilot.pk for pilot in system.pilots.all()])


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0003_seed_incident_sequence"),
        ("core", "0009_pilots"),
        ("plan", "0004_pilots"),
    ]

    operations = [
        migrations.AddField(
            model_name="informationsystem",
            name="pilots",
            field=models.ManyToManyField(
                blank=True,
                related_name="information_systems",
                to="core.pilot",
                verbose_name="pilot projects",
            ),
        ),
        migrations.RunPython(copy_links, copy_back),
        migrations.RemoveField(model_name="informationsystem", name="projects"),
    ]
