"""The real syslog listener over UDP and TCP: valid events flow while a malformed flood is kept."""

import socket
import time

import pytest

from xizang5g.security import simulate
from xizang5g.security.listener import SyslogServer
from xizang5g.security.models import BadLine, SecurityEvent


def _wait(predicate, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_udp_and_tcp_with_malformed_flood(rules):
    server = SyslogServer(host="127.0.0.1", udp_port=0, tcp_port=0, flush_seconds=0.1)
    thread = server.start_in_thread()
    try:
        good = simulate.benign_lines(200)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i, line in enumerate(good[:100]):
            udp.sendto(line, ("127.0.0.1", server.udp_port))
            udp.sendto(b"garbage flood %d" % i, ("127.0.0.1", server.udp_port))
            if i % 20 == 0:
                time.sleep(0.01)  # let the loopback buffer drain
        udp.close()
        with socket.create_connection(("127.0.0.1", server.tcp_port)) as tcp:
            # LF framing, octet counting (RFC 6587), and an over-long line between good ones.
            payload = b"".join(line + b"\n" for line in good[100:150])
            payload += b"".join(b"%d %s" % (len(line), line) for line in good[150:200])
            payload += b"<13>" + b"x" * 70000 + b"\n" + b"not syslog either\n"
            tcp.sendall(payload)
        # Poll the listener's counters, not the database: an in-memory SQLite test database shares
        # one cache between threads and would report a locked table to a concurrent reader.
        assert _wait(lambda: server.stats.stored >= 200 and server.stats.bad >= 102), (
            server.stats.stored,
            server.stats.bad,
        )
    finally:
        server.stop()
        thread.join(10)
    assert SecurityEvent.objects.count() == 200
    reasons = list(BadLine.objects.values_list("reason", "transport"))
    assert reasons.count(("no <PRI> header", "udp")) == 100
    assert ("line longer than 65536 bytes", "tcp") in reasons
    assert ("no <PRI> header", "tcp") in reasons
    assert server.stats.stored == 200 and server.stats.bad == 102
