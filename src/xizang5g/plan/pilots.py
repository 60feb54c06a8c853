"""Plan supervision keeps each project's pilot identity (core.Pilot, same id) in step with it, so
that the systems below plan can point at pilots without knowing plan supervision. Model signals
cover every way a project changes: services, Excel imports, the demo loader and the admin site."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from xizang5g.core.models import Pilot
from xizang5g.plan.models import Project


def pilot_sync(project: Project) -> Pilot:
    """Create or update the pilot of `project` (its identity, lead unit and reading units)."""
    pilot, _created = Pilot.objects.update_or_create(
        pk=project.pk,
        defaults={
            "code": project.code,
            "name": project.name,
            "lead_unit_id": project.lead_unit_id,
            "industry_code": project.industry.code if project.industry_id else "",
            "is_demo": project.is_demo,
        },
    )
    readers = set(project.participating_units.values_list("pk", flat=True))
    if project.operator_id:
        readers.add(project.operator_id)
    readers.discard(project.lead_unit_id)
    pilot.units.set(readers)
    return pilot


def _saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        pilot_sync(instance)


def _units_changed(sender, instance, action, reverse=False, **kwargs) -> None:
    if action.startswith("post_") and not reverse:
        pilot_sync(instance)


def _deleted(sender, instance, **kwargs) -> None:
    Pilot.objects.filter(pk=instance.pk).delete()


def connect_signals() -> None:
    post_save.connect(_saved, sender=Project, dispatch_uid="plan-pilot-saved")
    m2m_changed.connect(
        _units_changed,
        sender=Project.participating_units.through,
        dispatch_uid="plan-pilot-units",
    )
    post_delete.connect(_deleted, sender=Project, dispatch_uid="plan-pilot-deleted")
