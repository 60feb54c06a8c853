"""Install what the apps ship as content (rule packs, reference tables …): run after `migrate` on
every deployment and upgrade, and by the demo. Each app declares its steps
(``PlatformApp.setup_commands``); every step is idempotent."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from xizang5g.core import registry


class Command(BaseCommand):
    help = "Install the content the installed apps ship (idempotent; run after migrate)."

    def handle(self, *args, **options):
        steps = registry.setup_commands()
        for name, *step_args in steps:
            self.stdout.write(f"setup: {name} {' '.join(step_args)}".rstrip())
            call_command(name, *step_args, stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(f"setup: {len(steps)} step(s) done")
