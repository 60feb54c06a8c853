import asyncio
import signal

from django.core.management.base import BaseCommand

from xizang5g.security import services
from xizang5g.security.listener import SyslogServer


class Command(BaseCommand):
    help = (
        "Receive syslog (RFC 5424 / RFC 3164) over UDP and TCP, store, normalise and run detection."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="0.0.0.0")
        parser.add_argument(
            "--udp-port", type=int, default=5514, help="UDP port (0 = any free port; -1 = off)"
        )
        parser.add_argument(
            "--tcp-port", type=int, default=5514, help="TCP port (0 = any free port; -1 = off)"
        )
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument("--flush-seconds", type=float, default=0.5)

    def handle(self, *args, **options):
        created = services.events_partitions_ensure()
        if created:
            self.stdout.write(f"Created event partitions: {', '.join(created)}")
        server = SyslogServer(
            host=options["host"],
            udp_port=None if options["udp_port"] < 0 else options["udp_port"],
            tcp_port=None if options["tcp_port"] < 0 else options["tcp_port"],
            batch=options["batch"],
            flush_seconds=options["flush_seconds"],
        )

        async def main():
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, server.stop)
            task = asyncio.create_task(server.run())
            await asyncio.sleep(0)
            while not server.ready.is_set() and not task.done():
                await asyncio.sleep(0.05)
            if server.ready.is_set():
                self.stdout.write(
                    f"Listening for syslog on {server.host}: udp/{server.udp_port} tcp/{server.tcp_port}"
                )
            await task

        asyncio.run(main())
        s = server.stats
        self.stdout.write(
            f"Stopped: {s.received} received, {s.stored} stored, {s.bad} bad lines kept, {s.detections} detections"
        )
