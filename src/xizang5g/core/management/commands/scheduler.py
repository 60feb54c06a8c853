import signal
import time

from django.core.management.base import BaseCommand

from xizang5g.core import registry
from xizang5g.core.schedule import enqueue_due


class Command(BaseCommand):
    help = "Enqueue the periodic background jobs when they are due (run one or more anywhere)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="check once and exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args, once=False, interval=30.0, **options):
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))
        self.stdout.write(f"scheduler: {len(registry.periodic_jobs())} periodic jobs")
        while not stop["now"]:
            for name in enqueue_due():
                self.stdout.write(f"enqueued {name}")
            if once:
                break
            deadline = time.monotonic() + interval
            while not stop["now"] and time.monotonic() < deadline:
                time.sleep(0.5)
