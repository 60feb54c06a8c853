"""`xizang5g lrs_key create --name NAME [--school CODE]`: a key and secret of the LRS."""

from django.core.management.base import BaseCommand, CommandError

from xizang5g.edu import services
from xizang5g.edu.models import School


class Command(BaseCommand):
    help = "Create LRS credentials (Basic key/secret) for a school or the education department."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key and print it with its secret")
        create.add_argument("--name", required=True)
        create.add_argument("--school", help="school code; without it the key reads all")

    def handle(self, *args, action, name, school=None, **options):
        found = None
        if school:
            found = School.objects.filter(code=school).first()
            if found is None:
                raise CommandError(f"No school with the code {school!r}.")
        credential, secret = services.lrs_key_create(name=name, school=found)
        self.stdout.write(f"key: {credential.key}")
        self.stdout.write(f"secret: {secret}")
