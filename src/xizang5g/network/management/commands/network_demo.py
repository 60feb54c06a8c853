"""Load the 5G supervision demo: synthetic registry over the synthetic plateau, with a study,
cases, EMF assessments, village coverage and operators' monthly reports (idempotent)."""

import json

from django.core.management.base import BaseCommand, CommandError

from xizang5g.network.demo import demo_load


class Command(BaseCommand):
    help = "Load the 5G supervision demo data (SYNTHETIC stations and terrain, clearly labelled)."

    def add_arguments(self, parser):
        parser.add_argument("--cells", type=int, default=900)
        parser.add_argument("--earth-stations", type=int, default=40)

    def handle(self, *args, cells, earth_stations, **options):
        try:
            report = demo_load(stdout=self.stdout, n_cells=cells, n_earth_stations=earth_stations)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                "network demo: " + json.dumps(report, ensure_ascii=False, default=str)
            )
        )
