from django.core.management.base import BaseCommand, CommandError

from xizang5g.plan.loader import PlanFileError, plan_load


class Command(BaseCommand):
    help = "Load a plan YAML file (idempotent; invalid files write nothing). Usage: xizang5g plan load FILE"

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the plan YAML file")

    def handle(self, *args, file: str, **options):
        try:
            report = plan_load(path=file)
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file") from exc
        except PlanFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(report.summary()))
