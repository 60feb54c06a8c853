"""The MQTT ingest worker: subscribe, batch, store, answer, acknowledge.

The worker runs an asyncio MQTT client (gmqtt) in a thread of its own. Every PUBLISH that arrives
joins the pending batch; the batcher hands the batch (up to XZ5G_IOT_BATCH_SIZE messages per
transaction, waiting at most XZ5G_IOT_BATCH_MS for more) to a preparing thread (parse, validate,
render the rows: `prepare_batch`) and then to one database thread (`store_batch`), so that the
next batch is prepared while one is in the database. Only after the commit does the worker publish
the `…_reply` answers and acknowledge the batch's QoS 1 messages (its PUBACKs in one write), so
the broker keeps every message that is not stored yet. Under load, when another batch is already
waiting, the latest values are held back and written together about once a second
(XZ5G_IOT_LATEST_SECONDS); the PUBACKs then wait for that write too, so a crash in between loses
no latest value: the redeliveries bring them. The session is persistent (MQTT 5
clean_start=False with a session expiry; MQTT 3.1.1 clean_session=False): a worker killed
mid-stream gets every unacknowledged message again when it comes back, and redeliveries are
dropped by message id.

On Mosquitto/EMQX several workers share the load with `$share/xz5g-ingest/…` (MQTT 5 shared
subscriptions, with Receive Maximum 65535 so a whole batch can be in flight); on the embedded amqtt
broker (MQTT 3.1.1, no shared subscriptions) one worker uses a plain subscription.

gmqtt parses what arrives in whole buffers, where paho-mqtt reads each packet with several small
reads and builds MQTT 5 property tables per packet: the worker spends about half the CPU per
message on the protocol with it (benchmarks/RESULTS.md).
"""

import asyncio
import contextlib
import json
import logging
import socket
import struct
import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlparse

from django.conf import settings
from django.db import close_old_connections, connection, connections, reset_queries
from gmqtt import Client
from gmqtt.mqtt.constants import MQTTv50, MQTTv311

from xizang5g.iot import constants as C
from xizang5g.iot import services
from xizang5g.iot.ingest import (
    Inbound,
    LatestBuffer,
    Prepared,
    parse_topic,
    prepare_batch,
    status_post,
    store_batch,
)

logger = logging.getLogger(__name__)

RECEIVE_MAXIMUM = 65535
# Stored messages whose PUBACKs may wait for the latest values held back: a quarter of what the
# broker lets be in flight, so the wait never stops it sending.
HELD_MAXIMUM = RECEIVE_MAXIMUM // 4


@dataclass
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    @classmethod
    def parse(cls, url: str) -> "BrokerAddress":
        parts = urlparse(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError(f"unsupported MQTT URL {url!r} (use mqtt://host:port)")
        tls = parts.scheme in ("mqtts", "ssl")
        return cls(
            parts.hostname or "127.0.0.1",
            parts.port or (8883 if tls else 1883),
            parts.username,
            parts.password,
            tls,
        )


# A PUBACK with the success code and no properties: the same four bytes in MQTT 3.1.1 and 5.
_PUBACK = struct.Struct("!BBH")
_PUBACK_TYPE = 0x40


@dataclass
class _Job:
    """A batch handed over: `result` gives its replies and whether every latest value held back
    so far is written (None: not stored), and `mids` are the packet ids to acknowledge once it
    is, valid on connection number `connection`."""

    result: asyncio.Future
    mids: list[int]
    connection: int


@dataclass
class _Part:
    """Up to batch_size messages of a batch: one transaction."""

    posts: list[Inbound] = field(default_factory=list)
    statuses: list[tuple[str, bytes]] = field(default_factory=list)  # (topic, payload)
    prepared: Prepared | None = None


class IngestWorker:
    def __init__(
        self,
        url: str,
        *,
        client_id: str | None = None,
        mqtt5: bool = True,
        shared: bool = True,
        username: str | None = None,
        password: str | None = None,
        batch_size: int | None = None,
        batch_ms: int | None = None,
        session_expiry: int = 3600,
        housekeeping: bool = True,
        group: str = C.SHARED_GROUP,
    ):
        self.address = BrokerAddress.parse(url)
        self.client_id = client_id or f"xz5g-ingest-{socket.gethostname()}"
        self.mqtt5, self.shared, self.group = mqtt5, shared and mqtt5, group
        self.username = username or self.address.username
        self.password = password or self.address.password
        self.batch_size = batch_size or settings.XZ5G_IOT_BATCH_SIZE
        self.batch_wait = (
            batch_ms if batch_ms is not None else settings.XZ5G_IOT_BATCH_MS
        ) / 1000.0
        self.session_expiry = session_expiry
        self.housekeeping = housekeeping
        self.processed = 0
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._leave = self._killed = False
        self._thread: threading.Thread | None = None
        self._rollups: threading.Thread | None = None
        # One database thread: batches are stored in order, and the rules engine is only ever
        # used from it (the device directory is shared with the preparing thread).
        self._db = ThreadPoolExecutor(1, thread_name_prefix="xz5g-ingest-db")
        # And one preparing thread, a batch ahead of the database thread.
        self._prep = ThreadPoolExecutor(1, thread_name_prefix="xz5g-ingest-prep")
        # Latest values held back by the database thread, and the packet ids of the stored
        # batches they come from: acknowledged once the values are written too.
        self._latest = LatestBuffer(settings.XZ5G_IOT_LATEST_SECONDS)
        self._held: list[tuple[int, list[int]]] = []  # (connection, packet ids)
        self._held_count = 0
        self._submitted = self._stored = 0  # batches (each counter written by one thread)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Client | None = None
        self._pending: list[tuple[str, bytes]] = []
        self._mids: list[int] = []  # packet ids of the pending QoS 1 messages
        self._connection = 0  # counts connections: packet ids are only valid on their own
        self._arrived: asyncio.Event | None = None

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self, timeout: float = 15.0) -> "IngestWorker":
        """Connect and process in a background thread; raises if the broker cannot be reached."""
        self._thread = threading.Thread(target=self._thread_main, name="xz5g-ingest", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout) or self._error is not None:
            self._stop.set()
            raise RuntimeError(
                f"could not connect to the MQTT broker at {self.address.host}:{self.address.port}"
                + (f": {self._error}" if self._error else "")
            )
        if self.housekeeping:
            # Rollups in a thread of their own (and its own connection): the aggregation runs in
            # PostgreSQL while ingest goes on.
            self._rollups = threading.Thread(
                target=self._rollup_loop, name="xz5g-rollups", daemon=True
            )
            self._rollups.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def error(self) -> BaseException | None:
        """Why the worker's thread ended, if it failed."""
        return self._error

    def stop(self, timeout: float = 10.0, *, leave: bool = False) -> None:
        """Finish the batch in hand and disconnect. The session stays with the broker (a restarted
        worker picks up what arrived meanwhile) unless `leave`: then the worker leaves the shared
        group for good (scale-down), so the broker stops queueing a share of messages for it."""
        self._leave = leave
        self._halt(timeout)

    def kill(self) -> None:
        """Drop the connection at once, acknowledging nothing more (tests: a crash)."""
        self._killed = True
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._crash)
        self._halt(5)

    def _crash(self) -> None:
        client = self._client
        client.stop_reconnect()
        client._is_active = False  # gmqtt would otherwise reconnect once
        transport = getattr(getattr(client, "_connection", None), "_transport", None)
        if transport is not None:
            transport.abort()  # no DISCONNECT, no further PUBACK

    def _halt(self, timeout: float) -> None:
        self._stop.set()
        if self._loop is not None and self._arrived is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already finished
                self._loop.call_soon_threadsafe(self._arrived.set)
        for thread in (self._thread, self._rollups):
            if thread is not None:
                thread.join(timeout)
        self._prep.shutdown(wait=True)
        self._db.shutdown(wait=True)

    @staticmethod
    def purge_session(
        url: str, client_id: str, *, mqtt5: bool = True, username=None, password=None
    ) -> None:
        """End a stale persistent session (e.g. of a worker that crashed and will not return)."""

        async def purge():
            address = BrokerAddress.parse(url)
            client = Client(client_id, clean_session=True, session_expiry_interval=0)
            if username or address.username:
                client.set_auth_credentials(
                    username or address.username, password or address.password
                )
            await client.connect(
                address.host,
                address.port,
                ssl=address.tls,
                version=MQTTv50 if mqtt5 else MQTTv311,
            )
            await client.disconnect()

        # In a thread of its own: the caller's thread may already run an event loop.
        failure: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(purge())
            except Exception as exc:
                failure.append(exc)

        thread = threading.Thread(target=run, name="xz5g-purge-session")
        thread.start()
        thread.join(30)
        if failure:
            raise failure[0]

    # --- the event loop thread ---------------------------------------------------------------
    def _thread_main(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception as exc:  # connection refused, bad credentials…
            self._error = exc
            logger.error("ingest worker stopped: %s", exc)
        finally:
            self._ready.set()
            for executor in (self._prep, self._db):
                with contextlib.suppress(RuntimeError):  # already shut down
                    executor.submit(connections.close_all).result(10)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._arrived = asyncio.Event()
        client = self._client = self._make_client()
        await client.connect(
            self.address.host,
            self.address.port,
            ssl=self.address.tls,
            keepalive=30,
            version=MQTTv50 if self.mqtt5 else MQTTv311,
        )
        self._ready.set()
        try:
            await self._batches()
        finally:
            await self._disconnect(client)

    def _make_client(self) -> Client:
        properties = {}
        if self.mqtt5:
            properties = {
                "session_expiry_interval": self.session_expiry,
                "receive_maximum": RECEIVE_MAXIMUM,
            }
        client = Client(
            self.client_id, clean_session=False, optimistic_acknowledgement=False, **properties
        )
        client.set_config({"reconnect_delay": 1})
        if self.username:
            client.set_auth_credentials(self.username, self.password)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        # gmqtt runs a task per QoS 1 message to learn its PUBACK code, and writes each PUBACK
        # on its own: about a third of the event loop's time. The worker takes the packet ids
        # instead and acknowledges a stored batch in one write.
        client._package_handler._handle_qos_1_publish_packet = self._on_qos1_message
        return client

    async def _disconnect(self, client: Client) -> None:
        if self._killed:
            return
        if self._leave:
            for topic in self._filters():
                client.unsubscribe(topic)
            await client.disconnect(**({"session_expiry_interval": 0} if self.mqtt5 else {}))
        else:
            await client.disconnect()

    # --- gmqtt callbacks (event loop thread) -------------------------------------------------
    def _filters(self) -> list[str]:
        filters = [C.TOPIC_FILTER_POSTS, C.TOPIC_FILTER_STATUS]
        if self.shared:
            return [f"$share/{self.group}/{f}" for f in filters]
        return filters

    def _on_connect(self, client, flags, rc, properties) -> None:
        # The packet ids of messages from a lost connection cannot be acknowledged on this one:
        # the broker sends those messages again (and their receipts tell they are stored).
        self._connection += 1
        self._mids = []
        for topic in self._filters():
            client.subscribe(topic, qos=1)
        logger.info(
            "ingest worker connected to %s:%s (%s, session present: %s)",
            self.address.host,
            self.address.port,
            "MQTT 5 shared" if self.shared else ("MQTT 5" if self.mqtt5 else "MQTT 3.1.1"),
            flags,
        )

    def _on_disconnect(self, client, packet, exc=None) -> None:
        if not self._stop.is_set():
            logger.warning("ingest worker disconnected (%s); reconnecting", exc or packet)

    def _on_qos1_message(self, mid: int, payload: bytes, topic: str, properties) -> None:
        """A QoS 1 PUBLISH: acknowledged once its batch is stored (_answer)."""
        self._mids.append(mid)
        self._on_message(self._client, topic, payload, 1, properties)

    def _on_message(self, client, topic, payload, qos, properties) -> int:
        self._pending.append((topic, payload))
        if len(self._pending) == 1 or len(self._pending) >= self.batch_size:
            self._arrived.set()
        return 0

    # --- batching ----------------------------------------------------------------------------
    async def _batches(self) -> None:
        """Hand batches over and answer them once stored, in order. While one batch is in the
        database, the next is handed over as soon as it is full (and prepared on a thread of its
        own meanwhile), or else as soon as the stored one comes back, before it is answered, so
        that the database thread does not wait for the event loop."""
        loop = asyncio.get_running_loop()
        next_housekeeping = time.monotonic() + settings.XZ5G_IOT_RULE_CHECK_SECONDS
        jobs: deque[_Job] = deque()
        while jobs or not self._stop.is_set():
            if not jobs and self._held and not self._pending:
                jobs.append(self._submit_flush(loop))  # idle: write what is held back
            elif not jobs:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), 0.2)
                self._arrived.clear()
                if self._pending and not self._stop.is_set():
                    await self._fill()
                    jobs.append(self._submit(loop))
            elif len(jobs) == 1 and not self._stop.is_set() and not jobs[0].result.done():
                await self._next_full_or_stored(jobs[0])
                if len(self._pending) >= self.batch_size:
                    jobs.append(self._submit(loop))
            else:
                job = jobs.popleft()
                stored = await job.result
                if stored is None or self._killed:  # stopped before it was stored
                    return  # unacknowledged: the broker keeps them
                if not jobs and self._pending and not self._stop.is_set():
                    jobs.append(self._submit(loop))
                self._answer(job, *stored)
            if self.housekeeping and time.monotonic() >= next_housekeeping:
                await loop.run_in_executor(self._db, self._housekeep)
                next_housekeeping = time.monotonic() + settings.XZ5G_IOT_RULE_CHECK_SECONDS
        if self._held and await loop.run_in_executor(self._db, self._flush):
            self._acknowledge()

    async def _next_full_or_stored(self, job: _Job) -> None:
        """Wait until `job` is stored or a full batch is pending."""
        while len(self._pending) < self.batch_size and not job.result.done():
            self._arrived.clear()
            arrived = asyncio.ensure_future(self._arrived.wait())
            await asyncio.wait((job.result, arrived), return_when=asyncio.FIRST_COMPLETED)
            arrived.cancel()
            if self._stop.is_set():
                return

    def _submit(self, loop: asyncio.AbstractEventLoop) -> _Job:
        """Send what is pending to be prepared, then stored after the batches before it."""
        batch, mids = self._pending, self._mids
        self._pending, self._mids = [], []
        prepared = self._prep.submit(self._prepare, batch)
        self._submitted += 1
        result = loop.run_in_executor(self._db, self._store, prepared)
        return _Job(result, mids, self._connection)

    def _submit_flush(self, loop: asyncio.AbstractEventLoop) -> _Job:
        return _Job(loop.run_in_executor(self._db, self._flush), [], self._connection)

    def _answer(self, job: _Job, replies: list[tuple[str, bytes | None]], flushed: bool) -> None:
        """Publish the replies of a stored batch, and acknowledge its messages once the latest
        values held back are written (with those of the batches held before it)."""
        publish = self._client.publish
        for topic, reply in replies:
            if reply is not None:
                publish(topic, reply, qos=0)
        if job.mids:
            self._held.append((job.connection, job.mids))
            self._held_count += len(job.mids)
        if flushed:
            self._acknowledge()
        self.processed += len(replies)

    def _acknowledge(self) -> None:
        """PUBACK the held packet ids of this connection, in one write."""
        mids = [mid for number, ids in self._held if number == self._connection for mid in ids]
        self._held, self._held_count = [], 0
        if mids:
            self._client._connection._protocol.write_data(
                b"".join([_PUBACK.pack(_PUBACK_TYPE, 2, mid) for mid in mids])
            )

    async def _fill(self) -> None:
        """Give more messages up to batch_wait to arrive, unless a full batch is already here."""
        deadline = time.monotonic() + self.batch_wait
        while len(self._pending) < self.batch_size and not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            before = len(self._pending)
            await asyncio.sleep(min(remaining, 0.005))
            if len(self._pending) == before and remaining < self.batch_wait / 2:
                return  # nothing more is coming right now

    # --- the preparing thread ----------------------------------------------------------------
    def _prepare(self, batch: list[tuple[str, bytes]]) -> list[_Part]:
        """Split a batch into transactions of batch_size messages and prepare their posts
        (parse, validate, render the rows) while the batch before is in the database."""
        parts = []
        for start in range(0, len(batch), self.batch_size):
            part = _Part()
            for topic, payload in batch[start : start + self.batch_size]:
                parsed = parse_topic(topic)
                if parsed is None:
                    part.statuses.append((topic, payload))
                else:
                    part.posts.append(Inbound(*parsed, payload, topic=topic))
            if part.posts:
                part.prepared = prepare_batch(part.posts)
                if part.prepared is None:  # the database thread starts over
                    connection.close()  # in case the server dropped it
            parts.append(part)
        reset_queries()  # with DEBUG on, Django would keep every statement
        return parts

    # --- the database thread -----------------------------------------------------------------
    def _store(self, prepared: Future) -> tuple[list[tuple[str, bytes | None]], bool] | None:
        """Store a prepared batch, one transaction per part; returns (reply topic, reply body or
        None when the device wants no reply) per post and whether every latest value held back
        is written, or None if the worker stopped first."""
        replies = []
        parts = prepared.result()
        for number, part in enumerate(parts, 1):
            last = number == len(parts)
            stored = self._retrying(lambda p=part, last=last: self._ingest(p, last))
            if stored is None:
                return None
            replies.extend(stored)
        self._stored += 1
        reset_queries()
        return replies, not self._latest

    def _flush_now(self) -> bool:
        """Whether the latest values held back are written with the last part of the batch in
        hand (only then are all of the batch's messages covered by the write): when it is due,
        when nothing is waiting behind the batch, or when many PUBACKs wait for it."""
        return self._latest.due() or self._idle() or self._held_count >= HELD_MAXIMUM

    def _idle(self) -> bool:
        """Whether nothing is waiting behind the batch being stored: then its latest values are
        written at once (held back, they would wait for a batch that may not come)."""
        return self._submitted == self._stored + 1 and not self._pending

    def _flush(self) -> tuple[list, bool] | None:
        """Write the latest values held back: a job's result with no replies and everything
        written, or None if the worker stopped first."""
        return self._retrying(lambda: self._latest.salvage() or ([], True))

    def _ingest(self, part: _Part, last: bool) -> list[tuple[str, bytes | None]]:
        for topic, payload in part.statuses:
            self._status(topic, payload)
        part.statuses = []  # done, should the posts need a retry
        prepared, part.prepared = part.prepared, None  # a retry prepares afresh
        flush = last and self._flush_now()
        if not part.posts:
            if flush:
                self._latest.salvage()
            return []
        outcomes = store_batch(part.posts, prepared, latest=self._latest, flush=flush)
        return [
            (f"{post.topic}_reply", outcome.reply_bytes() if outcome.ack else None)
            for post, outcome in zip(part.posts, outcomes, strict=True)
        ]

    @staticmethod
    def _status(topic: str, payload: bytes) -> None:
        parts = topic.split("/")
        if len(parts) == 6 and parts[1] == "sys" and parts[4:] == ["thing", "status"]:
            try:
                body = json.loads(payload or b"{}")
                online = str(body.get("state", body.get("status", ""))).lower() == "online"
            except (ValueError, AttributeError, RecursionError):  # a device's own words
                online = False
            status_post(product_key=parts[2], device_name=parts[3], online=online)

    def _retrying(self, func):
        """Run func until it succeeds (the database may be restarting); None if stopped first."""
        delay = 0.5
        while not self._killed:
            try:
                return func()
            except Exception:
                logger.exception("ingest worker: database error; retrying in %.1fs", delay)
                connection.close()  # a connection the server dropped is not reused
                if self._stop.wait(delay):
                    return None
                delay = min(delay * 2, 10)
        return None

    def _housekeep(self) -> None:
        try:
            services.no_data_rules_check()
            services.devices_mark_offline()
        except Exception:
            logger.exception("ingest worker: housekeeping failed")
        close_old_connections()

    def _rollup_loop(self) -> None:
        while not self._stop.wait(settings.XZ5G_IOT_ROLLUP_SECONDS):
            try:
                services.rollups_refresh()
            except Exception:
                logger.exception("ingest worker: rollups failed")
            close_old_connections()
        connections.close_all()
