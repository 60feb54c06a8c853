"""Serve the demo: web server, job worker and (when installed) the IoT hub with its simulators.

The demo runs like production (DEBUG off, uvicorn, static files collected and served by
WhiteNoise) except that it speaks plain HTTP on one machine and keeps its keys under var/
(XZ5G_DEMO=1, set by `xizang5g demo_serve` itself).
"""

import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from xizang5g.core import registry
from xizang5g.plan.management.commands.demo_setup import DEMO_PASSWORD, DEMO_USERS, demo_users


class Command(BaseCommand):
    help = "Run the demo platform (web on HOST:PORT, a job worker, the IoT hub and simulators)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host, port, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        exe = [sys.executable, "-m", "xizang5g"]
        children = {
            "jobs": subprocess.Popen([*exe, "db_worker", "--no-reload"]),
            "scheduler": subprocess.Popen([*exe, "scheduler"]),
        }
        for name, *args in registry.demo_processes():  # each app's workers and simulators
            children[name] = subprocess.Popen([*exe, name, *args])
        children["web"] = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "xizang5g.asgi:application"),
                *("--host", host, "--port", str(port)),
            ]
        )
        self.stdout.write(self.style.SUCCESS(f"\n西藏5G应用平台 demo on http://{host}:{port}/"))
        self.stdout.write(
            f"Logins (password {DEMO_PASSWORD}): "
            + ", ".join(u[0] for u in DEMO_USERS + demo_users())
        )
        stop = {"now": False}

        def _stop(*_):
            stop["now"] = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        try:
            while not stop["now"]:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(
                            f"{name} exited with {child.returncode}; stopping the demo"
                        )
                        stop["now"] = True
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
