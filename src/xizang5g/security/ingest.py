"""Parsing and normalisation of incoming events: syslog (RFC 5424, RFC 3164) and JSON items.

Everything here is pure (no database): each function returns either a normalised event dict or
raises `BadInput` with a reason that ends up on the kept bad line.

Normalised event: time (aware UTC datetime), source_system, category, host, program, user, src_ip,
dst_ip, dst_port (int|None), action, outcome, severity (0–7|None), message, raw, extra (dict).
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from xizang5g.security import parsers
from xizang5g.security.constants import SYSLOG_MAX_LINE

SHANGHAI = ZoneInfo("Asia/Shanghai")


class BadInput(ValueError):
    """A line or item that cannot be turned into an event (the message is the kept reason)."""


# --- syslog ----------------------------------------------------------------------------------
_PRI = re.compile(rb"^<(\d{1,3})>")
_RFC5424 = re.compile(
    r"^(?P<version>[1-9]\d{0,2}) (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) "
    r"(?P<rest>.*)$",
    re.DOTALL,
)
_SD_ELEMENT = re.compile(r'\[(?P<id>[^\s\]=]+)(?P<params>(?: [^\s=\]]+="(?:[^"\\\]]|\\.)*")*)\]')
_SD_PARAM = re.compile(r'([^\s=\]]+)="((?:[^"\\\]]|\\.)*)"')
_RFC3164 = re.compile(
    r"^(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<day>[ \d]\d) "
    r"(?P<time>\d\d:\d\d:\d\d) (?P<host>\S+) (?P<msg>.*)$",
    re.DOTALL,
)
# Network devices (Cisco ASA, Huawei USG) put the year in the RFC 3164 timestamp.
_RFC3164_YEAR = re.compile(
    r"^(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<day>[ \d]\d) (?P<year>\d{4}) "
    r"(?P<time>\d\d:\d\d:\d\d) (?P<host>[^\s:]+):? (?P<msg>.*)$",
    re.DOTALL,
)
_TAG = re.compile(
    r"^(?P<tag>[A-Za-z0-9_./-]{1,48})(?:\[(?P<pid>[^\]]{1,16})\])?: ?(?P<msg>.*)$", re.DOTALL
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        start=1,
    )
}


def parse_syslog(data: bytes, *, now: datetime | None = None) -> dict:
    """Parse one syslog message (RFC 5424 or RFC 3164) into a partial event dict."""
    now = now or datetime.now(UTC)
    if not data:
        raise BadInput("empty line")
    if len(data) > SYSLOG_MAX_LINE:
        raise BadInput(f"line longer than {SYSLOG_MAX_LINE} bytes")
    match = _PRI.match(data)
    if match is None:
        raise BadInput("no <PRI> header")
    pri = int(match.group(1))
    if pri > 191:
        raise BadInput(f"PRI {pri} out of range 0–191")
    try:
        text = data[match.end() :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"not UTF-8 at byte {exc.start + match.end()}") from exc
    text = text.rstrip("\r\n\x00")
    if "\x00" in text:
        raise BadInput("NUL byte inside the message")
    facility, severity = divmod(pri, 8)
    m5424 = _RFC5424.match(text)
    if m5424 is not None:
        event = _parse_5424(m5424, now)
    else:
        m3164 = _RFC3164.match(text) or _RFC3164_YEAR.match(text)
        if m3164 is not None:
            event = _parse_3164(m3164, now)
        else:
            event = parsers.fortigate_line(text, now)
            if event is None:
                raise BadInput("neither RFC 5424 nor RFC 3164 header")
    event["severity"] = severity
    event.setdefault("extra", {})["facility"] = facility
    event["raw"] = data.decode("utf-8", "replace")
    return event


def _nil(value: str) -> str:
    return "" if value == "-" else value


def _parse_5424(match: re.Match, now: datetime) -> dict:
    if match.group("version") != "1":
        raise BadInput(f"unsupported syslog version {match.group('version')}")
    ts = match.group("ts")
    if ts == "-":
        time = now
    else:
        try:
            time = datetime.fromisoformat(ts.replace("Z", "+00:00"))
        except ValueError as exc:
            raise BadInput(f"bad RFC 5424 timestamp {ts[:40]!r}") from exc
        if time.tzinfo is None:
            raise BadInput("RFC 5424 timestamp without time zone")
    rest = match.group("rest")
    extra: dict = {}
    if rest.startswith("-"):
        message = rest[2:] if rest.startswith("- ") else rest[1:]
    elif rest.startswith("["):
        pos = 0
        while pos < len(rest) and rest[pos] == "[":
            element = _SD_ELEMENT.match(rest, pos)
            if element is None:
                raise BadInput("malformed STRUCTURED-DATA")
            params = {
                k: re.sub(r"\\(.)", r"\1", v) for k, v in _SD_PARAM.findall(element.group("params"))
            }
            extra.setdefault("sd", {})[element.group("id")] = params
            pos = element.end()
        message = rest[pos + 1 :] if rest[pos : pos + 1] == " " else rest[pos:]
    else:
        raise BadInput("missing STRUCTURED-DATA")
    message = message.removeprefix("\ufeff")
    if _nil(match.group("msgid")):
        extra["msgid"] = match.group("msgid")
    return {
        "time": time.astimezone(UTC),
        "host": _nil(match.group("host"))[:255],
        "program": _nil(match.group("app"))[:64],
        "message": message,
        "extra": extra,
    }


def _parse_3164(match: re.Match, now: datetime) -> dict:
    local_now = now.astimezone(SHANGHAI)
    hh, mm, ss = (int(x) for x in match.group("time").split(":"))
    year = int(match.groupdict().get("year") or local_now.year)
    try:
        time = datetime(
            year,
            _MONTHS[match.group("mon")],
            int(match.group("day")),
            hh,
            mm,
            ss,
            tzinfo=SHANGHAI,
        )
    except ValueError as exc:
        raise BadInput(f"bad RFC 3164 date: {exc}") from exc
    if time - local_now > timedelta(days=1):  # December lines read in January
        time = time.replace(year=time.year - 1)
    rest = match.group("msg")
    tag = _TAG.match(rest)
    program, message = (tag.group("tag"), tag.group("msg")) if tag else ("", rest)
    return {
        "time": time.astimezone(UTC),
        "host": match.group("host")[:255],
        "program": program.lower()[:64],
        "message": message,
        "extra": {},
    }


# --- field extraction from well-known messages ----------------------------------------------
_IP = r"(?P<ip>[0-9a-fA-F:.]{3,45})"
_SSH_FAILED = re.compile(
    r"^Failed (?:password|publickey|keyboard-interactive/pam) for (?:invalid user )?(?P<user>\S+) from "
    + _IP
)
_SSH_INVALID = re.compile(r"^Invalid user (?P<user>\S*) from " + _IP)
_SSH_ACCEPTED = re.compile(
    r"^Accepted (?:password|publickey|keyboard-interactive/pam) for (?P<user>\S+) from " + _IP
)
_SUDO = re.compile(r"^\s*(?P<user>\S+) : .*?COMMAND=(?P<cmd>.*)$")
_SUDO_FAIL = re.compile(r"authentication failure.*?(?:user=|ruser=)(?P<user>\S+)")
# Common and combined log formats (nginx, Apache httpd), with or without the bracketed time (a
# log_format that leaves it out: the syslog header carries the time) and with an optional virtual
# host in front (Apache's vhost_combined).
_ACCESS = re.compile(
    r'^(?:(?P<vhost>[\w.-]+(?::\d+)?) (?=\S+ \S+ \S+ (?:\[|")))?(?P<ip>[0-9a-fA-F:.]+) \S+ (?P<user>\S+) '
    r'(?:\[[^\]]+\] )?"(?P<method>[A-Z]{3,10}) (?P<url>\S+)(?: [^"]*)?" '
    r'(?P<status>\d{3}) (?P<size>\d+|-)(?: "(?P<referer>[^"]*)" "(?P<ua>[^"]*)")?'
)
_LOOKS_LIKE_ACCESS = re.compile(r'^(?:[\w.-]+(?::\d+)? )?[0-9a-fA-F:.]{7,45} \S+ \S+ ["\[]')
_FW_KV = re.compile(r"\b(SRC|DST|DPT|PROTO)=(\S+)")
_WEB_PROGRAMS = {"nginx", "apache", "apache2", "httpd"}
_LINUX_PROGRAMS = {
    "sshd",
    "sudo",
    "su",
    "cron",
    "crond",
    "anacron",
    "systemd",
    "systemd-logind",
    "login",
    "useradd",
    "userdel",
    "usermod",
    "groupadd",
    "passwd",
    "chpasswd",
    "chage",
    "kernel",
    "auditd",
    "audispd",
    "audisp-syslog",
    "bash",
    "sh",
    "zsh",
    "polkitd",
    "dbus-daemon",
    "rsyslogd",
    "agetty",
    "vsftpd",
    "clamd",
    "freshclam",
    "guacd",
    "cups",
}
_NET_PROGRAMS = {
    "firewall",
    "iptables",
    "ufw",
    "pf",
    "asa",
    "cisco",
    "fortigate",
    "huawei",
    "juniper",
}
_DNS_PROGRAMS = {"named", "bind", "unbound"}


class HostProducts:
    """What each host has shown itself to be (a Linux host sends sshd, kernel, cron … lines): a
    host's later lines from programs not known here are read as the same product, whatever the
    source was registered as. Bounded; the oldest hosts are forgotten first."""

    def __init__(self, size: int = 50_000):
        self.size = size
        self.known: dict[str, str] = {}

    def learn(self, host: str, category: str) -> None:
        if not host or category not in ("linux", "network"):
            return
        if host not in self.known and len(self.known) >= self.size:
            self.known.pop(next(iter(self.known)))
        self.known[host] = category

    def get(self, host: str) -> str | None:
        return self.known.get(host)


HOST_PRODUCTS = HostProducts()


def enrich(event: dict, *, category: str | None = None, fallback: str | None = None) -> dict:
    """Fill category, action, outcome, user, addresses from well-known message formats.

    `category` forces the category; otherwise it is inferred from the program and message, and
    `fallback` (the source's category) is used when nothing is recognised."""
    program = (event.get("program") or "").lower()
    message = event.get("message") or ""
    extra = event.setdefault("extra", {})
    host = (event.get("host") or "").lower()
    if category is None and (
        parsers.parse_audit(event)
        or parsers.parse_firewall(event)
        or parsers.parse_squid(event)
        or (program in _DNS_PROGRAMS and parsers.parse_bind(event))
    ):
        HOST_PRODUCTS.learn(host, event["category"])
        return _lower(event)
    fw = dict(_FW_KV.findall(message)) if ("SRC=" in message and "DST=" in message) else {}
    if category is None:
        if program in _WEB_PROGRAMS:
            category = "web"
        elif program in _NET_PROGRAMS or fw:
            category = "network"
        elif program in _LINUX_PROGRAMS or program.startswith("systemd-"):
            category = "linux"
        else:
            category = HOST_PRODUCTS.get(host) or fallback or "application"
        HOST_PRODUCTS.learn(host, category)
    event["category"] = category
    if program == "sshd":
        for pattern, outcome in (
            (_SSH_FAILED, "failure"),
            (_SSH_INVALID, "failure"),
            (_SSH_ACCEPTED, "success"),
        ):
            m = pattern.match(message)
            if m:
                event.update(
                    action="login",
                    outcome=outcome,
                    user=m.group("user")[:150],
                    src_ip=m.group("ip"),
                )
                break
    elif program == "sudo":
        m = _SUDO.match(message)
        if m:
            event.update(action="sudo", outcome="success", user=m.group("user")[:150])
            extra["command"] = m.group("cmd")[:500]
        else:
            m = _SUDO_FAIL.search(message)
            if m:
                event.update(action="sudo", outcome="failure", user=m.group("user")[:150])
    elif category == "web":
        m = _ACCESS.match(message)
        if m is None and _LOOKS_LIKE_ACCESS.match(message):
            raise BadInput("web access line in neither the common nor the combined log format")
        if m:
            status = int(m.group("status"))
            event.update(
                action="http_request",
                src_ip=m.group("ip"),
                outcome="success" if status < 400 else "failure",
            )
            if m.group("user") != "-":
                event["user"] = m.group("user")[:150]
            extra.update(method=m.group("method"), url=m.group("url")[:2000], status=str(status))
            if m.group("ua") is not None:
                extra["user_agent"] = m.group("ua")[:500]
                extra["referer"] = m.group("referer")[:2000]
            if m.group("vhost"):
                extra["vhost"] = m.group("vhost")
    if fw:
        event.setdefault("src_ip", fw.get("SRC", ""))
        event.setdefault("dst_ip", fw.get("DST", ""))
        if fw.get("DPT", "").isdigit():
            event.setdefault("dst_port", int(fw["DPT"]))
        if fw.get("PROTO"):
            extra["proto"] = fw["PROTO"]
        event.setdefault("action", "connection")
        upper = message.upper()
        event.setdefault(
            "outcome",
            "blocked"
            if any(w in upper for w in ("DROP", "REJECT", "BLOCK", "DENY"))
            else "success",
        )
    return _lower(event)


def _lower(event: dict) -> dict:
    for key in ("program", "action", "outcome"):  # matched case-insensitively: store lower case
        if event.get(key):
            event[key] = event[key].lower()
    return event


# --- JSON items -------------------------------------------------------------------------------
_JSON_FIELDS = {
    "time",
    "host",
    "program",
    "user",
    "src_ip",
    "dst_ip",
    "dst_port",
    "action",
    "outcome",
    "message",
    "severity",
    "category",
    "extra",
    "source_system",
}
_CATEGORIES = {"linux", "web", "network", "platform", "application"}
_LIMITS = {
    "host": 255,
    "program": 64,
    "user": 150,
    "action": 64,
    "outcome": 16,
    "source_system": 100,
}


def normalise_json_item(item, *, now: datetime | None = None) -> dict:
    """Validate one JSON event item; unknown keys go to `extra`."""
    if not isinstance(item, dict):
        raise BadInput(f"item is a {type(item).__name__}, not an object")
    if not item.get("message") and not item.get("action"):
        raise BadInput("item needs a non-empty message or action")
    raw_time = item.get("time")
    if raw_time in (None, ""):
        raise BadInput("item has no time")
    try:
        time = datetime.fromisoformat(str(raw_time).replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadInput(f"time {str(raw_time)[:40]!r} is not ISO 8601") from exc
    if time.tzinfo is None:
        raise BadInput("time has no time zone offset")
    event: dict = {"time": time.astimezone(UTC)}
    for key in ("host", "program", "user", "action", "outcome", "message", "source_system"):
        value = item.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise BadInput(f"{key} must be a string")
        event[key] = value[: _LIMITS[key]] if key in _LIMITS else value
    for key in ("program", "action", "outcome"):  # matched case-insensitively: store lower case
        if key in event:
            event[key] = event[key].lower()
    category = item.get("category")
    if category not in (None, ""):
        if category not in _CATEGORIES:
            raise BadInput(f"category must be one of {', '.join(sorted(_CATEGORIES))}")
        event["category"] = category
    for key in ("src_ip", "dst_ip"):
        value = item.get(key)
        if value in (None, ""):
            continue
        try:
            event[key] = str(ipaddress.ip_address(str(value)))
        except ValueError as exc:
            raise BadInput(f"{key} {str(value)[:45]!r} is not an IP address") from exc
    port = item.get("dst_port")
    if port not in (None, ""):
        if (
            not (isinstance(port, int) or (isinstance(port, str) and port.isdigit()))
            or not 0 <= int(port) <= 65535
        ):
            raise BadInput(f"dst_port {str(port)[:10]!r} is not a port number")
        event["dst_port"] = int(port)
    severity = item.get("severity")
    if severity not in (None, ""):
        if not isinstance(severity, int) or not 0 <= severity <= 7:
            raise BadInput("severity must be an integer 0–7 (syslog)")
        event["severity"] = severity
    extra = item.get("extra") or {}
    if not isinstance(extra, dict):
        raise BadInput("extra must be an object")
    extra = dict(extra)
    for key, value in item.items():
        if key not in _JSON_FIELDS:
            extra[key] = value
    event["extra"] = extra
    return event


_STRING_FIELDS = (
    "source_system",
    "category",
    "host",
    "program",
    "user",
    "src_ip",
    "dst_ip",
    "action",
    "outcome",
    "message",
)


def complete_event(event: dict) -> dict:
    """Give an event every field of the normalised schema (strings '' when absent) — the form the
    batch matcher reads by subscription."""
    for key in _STRING_FIELDS:
        if event.get(key) is None:
            event[key] = ""
    event.setdefault("dst_port", None)
    if not isinstance(event.get("extra"), dict):
        event["extra"] = {}
    return event


def ip_or_blank(value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""
