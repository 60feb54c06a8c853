"""`xizang5g security rules import PATH`: add or update the Sigma rules of a folder, zip or file
by id and report what was refused and why. `xizang5g security rules import --default` loads the
pack the project ships (a step of `xizang5g setup`)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from xizang5g.security.services import sigma_rules_import, sigma_rules_sync
from xizang5g.security.services.rules import RULES_DIR


class Command(BaseCommand):
    help = "Security operations: `security rules import PATH` (folder, zip or rule file)."

    def add_arguments(self, parser):
        topics = parser.add_subparsers(dest="topic", required=True)
        rules = topics.add_parser("rules", help="Sigma rules")
        actions = rules.add_subparsers(dest="action", required=True)
        load = actions.add_parser(
            "import", help="add or update rules by id from a folder, zip or file"
        )
        load.add_argument("path", nargs="?", help="a folder (searched recursively), .zip or .yml")
        load.add_argument(
            "--default",
            action="store_true",
            help=f"load the shipped pack ({RULES_DIR}) instead of PATH",
        )

    def handle(self, *args, topic, action, path=None, default=False, **options):
        if default:
            try:
                count = sigma_rules_sync()
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            self.stdout.write(f"shipped pack: {count} rules loaded")
            return
        if not path:
            raise CommandError("give a PATH (folder, zip or rule file) or --default")
        try:
            report = sigma_rules_import(path=Path(path))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for line in report.lines():
            self.stdout.write(line)
