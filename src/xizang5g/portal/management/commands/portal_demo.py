"""Demo news and notices of the portal (`xizang5g demo_setup`), labelled as demo data."""

from django.core.management.base import BaseCommand

from xizang5g.portal import demo


class Command(BaseCommand):
    help = "Load the portal's demo news and notices (idempotent)."

    def handle(self, *args, **options):
        n = demo.load()
        self.stdout.write(f"portal: {n} demo news items")
