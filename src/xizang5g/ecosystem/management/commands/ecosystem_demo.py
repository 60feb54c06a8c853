from django.core.management.base import BaseCommand

from xizang5g.core.choices import Role
from xizang5g.core.models import User
from xizang5g.ecosystem.demo import ecosystem_demo


class Command(BaseCommand):
    help = "Load the ecosystem's demo organisations, demands, solutions, intents and events."

    def handle(self, *args, **options):
        office = (
            User.objects.filter(role=Role.PLAN_ADMIN, is_active=True).order_by("pk").first()
            or User.objects.filter(is_superuser=True).order_by("pk").first()
        )
        counts = ecosystem_demo(office=office)
        self.stdout.write("ecosystem: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
