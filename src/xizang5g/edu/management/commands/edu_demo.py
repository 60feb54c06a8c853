from django.core.management.base import BaseCommand

from xizang5g.edu.demo import edu_demo_load


class Command(BaseCommand):
    help = "Load the education demo (schools, classes, LRS keys, two weeks of learning records)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=14)

    def handle(self, *args, days, **options):
        report = edu_demo_load(days=days)
        self.stdout.write(
            f"edu demo: {report['schools']} schools, {report['statements']} learning records"
        )
