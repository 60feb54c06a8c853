from django.core.management.base import BaseCommand

from xizang5g.iot import services


class Command(BaseCommand):
    help = (
        "Compute the rollups that are due, prepare upcoming monthly partitions of the readings "
        "table (PostgreSQL) and apply retention."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--retention-days", type=int, default=None, help="default XZ5G_IOT_RETENTION_DAYS"
        )
        parser.add_argument("--no-retention", action="store_true")

    def handle(self, *args, retention_days, no_retention, **options):
        self.stdout.write(f"rollups: {services.rollups_refresh()}")
        created = services.readings_partitions_ensure()
        self.stdout.write(f"partitions created: {', '.join(created) or 'none'}")
        if not no_retention:
            self.stdout.write(
                f"retention: {services.readings_retention_apply(days=retention_days)}"
            )
