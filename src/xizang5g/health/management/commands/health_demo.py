from django.core.management.base import BaseCommand

from xizang5g.health.demo import health_demo_load


class Command(BaseCommand):
    help = "Load the health app's demo data (【演示数据】): ambulances, calls, vitals, consultations, syndromic counts."

    def handle(self, *args, **options):
        result = health_demo_load()
        self.stdout.write(str(result))
