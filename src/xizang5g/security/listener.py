"""The syslog listener: UDP and TCP (RFC 5426 / RFC 6587, octet counting or LF framing).

Received messages are queued and handed in batches (every `flush_seconds` or `batch` lines) to
`services.syslog_ingest` in a worker thread, so parsing, storage and detection run off the event loop.
Nothing is dropped silently: an unparseable line becomes a kept bad line; an over-long TCP frame is
kept (truncated) as a bad line and the stream resynchronises at the next newline.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict

from django.db import close_old_connections

from xizang5g.security.constants import SYSLOG_MAX_LINE
from xizang5g.security.services import syslog_ingest

logger = logging.getLogger(__name__)


class Stats:
    def __init__(self) -> None:
        self.received = 0
        self.stored = 0
        self.bad = 0
        self.detections = 0
        self.lock = threading.Lock()


class SyslogServer:
    def __init__(
        self,
        *,
        host: str = "0.0.0.0",
        udp_port: int | None = 5514,
        tcp_port: int | None = 5514,
        batch: int = 1000,
        flush_seconds: float = 0.5,
    ):
        self.host = host
        self.udp_port = udp_port
        self.tcp_port = tcp_port
        self.batch = batch
        self.flush_seconds = flush_seconds
        self.stats = Stats()
        self._pending: dict[tuple[str, str], list[bytes]] = defaultdict(list)
        self._pending_count = 0
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.ready = threading.Event()

    # receiving -------------------------------------------------------------------------
    def _accept(self, data: bytes, peer: str, transport: str) -> None:
        self._pending[(peer, transport)].append(data)
        self._pending_count += 1
        self.stats.received += 1

    async def _flush_loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.flush_seconds)
            await self.flush()

    async def flush(self) -> None:
        if not self._pending_count:
            return
        pending, self._pending, self._pending_count = self._pending, defaultdict(list), 0
        await asyncio.get_running_loop().run_in_executor(None, self._ingest, pending)

    def _ingest(self, pending) -> None:
        close_old_connections()
        try:
            for (peer, transport), lines in pending.items():
                for i in range(0, len(lines), self.batch):
                    result = syslog_ingest(
                        lines=lines[i : i + self.batch], peer=peer, transport=transport
                    )
                    with self.stats.lock:
                        self.stats.stored += result.stored
                        self.stats.bad += result.bad
                        self.stats.detections += len(result.detections)
        except Exception:
            logger.exception("syslog batch could not be stored")
        finally:
            close_old_connections()

    # servers --------------------------------------------------------------------------------
    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = self
        closers = []
        if self.udp_port is not None:

            class Udp(asyncio.DatagramProtocol):
                def datagram_received(self, data, addr):
                    server._accept(data.rstrip(b"\r\n"), f"{addr[0]}:{addr[1]}", "udp")

            transport, _ = await self._loop.create_datagram_endpoint(
                Udp, local_addr=(self.host, self.udp_port)
            )
            self.udp_port = transport.get_extra_info("sockname")[1]
            closers.append(transport.close)
        tcp_server = None
        if self.tcp_port is not None:
            tcp_server = await asyncio.start_server(
                self._handle_tcp, self.host, self.tcp_port, limit=SYSLOG_MAX_LINE + 16
            )
            self.tcp_port = tcp_server.sockets[0].getsockname()[1]
        logger.info("syslog listening on %s udp/%s tcp/%s", self.host, self.udp_port, self.tcp_port)
        self.ready.set()
        try:
            await self._flush_loop()
        finally:
            for close in closers:
                close()
            if tcp_server is not None:
                tcp_server.close()
                await tcp_server.wait_closed()
            await self.flush()

    async def _handle_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        addr = writer.get_extra_info("peername") or ("?", 0)
        peer = f"{addr[0]}:{addr[1]}"
        try:
            while not reader.at_eof():
                first = await reader.read(1)
                if not first:
                    break
                if first.isdigit():  # RFC 6587 octet counting: "LEN SP MSG"
                    digits = first + await reader.readuntil(b" ")
                    length = int(digits[:-1])
                    if (
                        length > SYSLOG_MAX_LINE
                    ):  # kept (truncated) as a bad "line longer than" entry
                        data = await reader.readexactly(SYSLOG_MAX_LINE + 1)
                        self._accept(data, peer, "tcp")
                        await reader.readexactly(length - len(data))
                        continue
                    self._accept(await reader.readexactly(length), peer, "tcp")
                else:
                    try:
                        line = first + await reader.readuntil(b"\n")
                    except asyncio.LimitOverrunError:
                        chunk = first + await reader.read(SYSLOG_MAX_LINE)
                        self._accept(
                            chunk, peer, "tcp"
                        )  # over-long: kept as a bad "line longer than" entry
                        while True:  # resynchronise at the next newline
                            try:
                                await reader.readuntil(b"\n")
                                break
                            except asyncio.LimitOverrunError as exc:
                                await reader.read(exc.consumed)
                        continue
                    except asyncio.IncompleteReadError as exc:
                        line = first + exc.partial
                        if line.strip():
                            self._accept(line.rstrip(b"\r\n"), peer, "tcp")
                        break
                    self._accept(line.rstrip(b"\r\n"), peer, "tcp")
        except (asyncio.IncompleteReadError, ConnectionError, ValueError) as exc:
            logger.info("syslog TCP peer %s: %s", peer, exc)
        finally:
            writer.close()

    # control ----------------------------------------------------------------------------------
    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(
            target=lambda: asyncio.run(self.run()), name="xz5g-syslog", daemon=True
        )
        thread.start()
        if not self.ready.wait(10):
            raise RuntimeError("the syslog listener did not start")
        return thread
