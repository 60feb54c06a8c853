from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xizang5g.core import access_table


class Command(BaseCommand):
    help = (
        "Render the table of rights (role × model × action) from the models' access rules, in "
        "Markdown; --write puts it into a document between its markers, --check says whether "
        "the document is current."
    )

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--write", metavar="FILE", help="replace the table in FILE")
        target.add_argument(
            "--check", metavar="FILE", help="exit non-zero if the table in FILE is out of date"
        )

    def handle(self, *args, write=None, check=None, **options):
        table = access_table.render()
        if not (write or check):
            self.stdout.write(table, ending="")
            return
        path = Path(write or check)
        try:
            document = path.read_text(encoding="utf-8")
            current = access_table.written_table(document)
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        except access_table.MarkersMissing as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if check:
            if current != table:
                raise CommandError(
                    f"{path}: the table of rights is out of date; run "
                    f"`xizang5g access_table --write {path}`"
                )
            self.stdout.write(f"{path}: the table of rights is current.")
            return
        path.write_text(access_table.with_table(document, table), encoding="utf-8")
        self.stdout.write(f"{path}: table of rights written.")
