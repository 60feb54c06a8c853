from django.core.management.base import BaseCommand

from xizang5g.iot.demo import iot_demo_load


class Command(BaseCommand):
    help = "Create (idempotently) the IoT demo: products, devices on the demo projects, rules, some history."

    def add_arguments(self, parser):
        parser.add_argument("--history-hours", type=int, default=6)

    def handle(self, *args, history_hours, **options):
        report = iot_demo_load(history_hours=history_hours)
        self.stdout.write(
            f"iot demo: {report['products']} products, {report['devices']} devices, {report['rules']} rules, "
            f"{report['readings']} historical messages"
        )
