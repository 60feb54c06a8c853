"""`xizang5g handle_user create --prefix 88.118.8 --name ADMIN --password PASS [--unit CODE]`:
the enterprise's write credential for its Handle prefix, and its admin handle."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from xizang5g.core.models import Unit
from xizang5g.industry.handles import handle_user_create
from xizang5g.industry.models import HandleUser


class Command(BaseCommand):
    help = "Create or reset an enterprise's Handle write credential (index:prefix/name)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list"])
        parser.add_argument("--prefix")
        parser.add_argument("--name", default="ADMIN")
        parser.add_argument("--password")
        parser.add_argument("--unit", help="code of the enterprise (unit); default: the first one")

    def handle(self, *args, action, prefix, name, password, unit, **options):
        if action == "list":
            for credential in HandleUser.objects.select_related("unit"):
                self.stdout.write(f"{credential}\t{credential.unit.code}")
            return
        if not prefix or not password:
            raise CommandError("create needs --prefix and --password")
        owner = Unit.objects.filter(code=unit).first() if unit else None
        if owner is None:
            owner = HandleUser.objects.filter(prefix=prefix).values_list("unit", flat=True).first()
            owner = Unit.objects.filter(pk=owner).first() if owner else None
        if owner is None and not unit:
            owner = Unit.objects.filter(kind="enterprise").order_by("pk").first()
        if owner is None:
            raise CommandError("no such unit: give --unit with an existing unit code")
        try:
            credential = handle_user_create(unit=owner, prefix=prefix, name=name, password=password)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{credential} created for {owner.code} (admin handle {prefix}/{name})")
