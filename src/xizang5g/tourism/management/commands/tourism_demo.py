from django.core.management.base import BaseCommand

from xizang5g.tourism import demo


class Command(BaseCommand):
    help = "Load the tourism demo data (【演示数据】): seven scenic spots, gates, car parks, content, two years of daily data, forecasts. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=demo.HISTORY_DAYS, help="days of daily history"
        )
        parser.add_argument("--no-forecast", action="store_true", help="skip the forecasts")

    def handle(self, *args, days, no_forecast, **options):
        result = demo.load(history_days=days, with_forecast=not no_forecast)
        self.stdout.write(self.style.SUCCESS(f"tourism demo: {result}"))
