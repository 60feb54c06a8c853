"""Education (5G+智慧教育): a conformant xAPI learning record store and education big data."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry
from xizang5g.core.choices import Role


class EduConfig(registry.PlatformApp):
    name = "xizang5g.edu"
    label = "edu"
    layer = "vertical"
    verbose_name = _("Education")
    nav = ({"label": _("Education"), "url": "edu:index", "icon": "mortarboard", "order": 62},)
    urls = "xizang5g.edu.urls"
    root_urls = (("xapi", "xizang5g.edu.xapi.urls"),)
    evidence_providers = ("xizang5g.edu.evidence.pilot_evidence",)
    periodic_jobs = (
        registry.PeriodicJob(
            "edu_partitions", "xizang5g.edu.tasks.edu_partitions", timedelta(days=1)
        ),
        registry.PeriodicJob(
            "edu_retention", "xizang5g.edu.tasks.edu_retention", timedelta(days=1)
        ),
    )
    demo_commands = (("edu_demo",),)
    demo_processes = (("edu_simulate",),)
    demo_users = (
        registry.DemoUser(
            "edu-lhasa",
            Role.UNIT_EDITOR,
            "edu-lhasa-no1",
            "拉萨市第一中学 教务",
            "a school's staff: its dashboard with real names; other schools pseudonymised",
        ),
    )

    def ready(self) -> None:
        # A credential that changes or goes is forgotten by the LRS's authentication cache; one
        # that goes leaves its statements findable by their authority (xizang5g.edu.xapi.store).
        from django.db.models.signals import post_delete, post_save, pre_delete

        from xizang5g.edu.models import LrsCredential
        from xizang5g.edu.xapi import store

        post_save.connect(store.credential_changed, sender=LrsCredential)
        post_delete.connect(store.credential_changed, sender=LrsCredential)
        pre_delete.connect(store.credential_deleting, sender=LrsCredential)
