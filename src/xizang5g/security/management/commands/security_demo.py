from django.core.management.base import BaseCommand

from xizang5g.security.demo import demo_load


class Command(BaseCommand):
    help = "Load the security demo set (systems, sources, rules, a day of synthetic events, incidents). Idempotent."

    def handle(self, *args, **options):
        report = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"security demo: {report.systems} systems, {report.events} events, {report.detections} detections, "
                f"{report.incidents} incidents"
            )
        )
