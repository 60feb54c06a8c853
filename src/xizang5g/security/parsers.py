"""Log formats beyond plain syslog: each recognises its lines by their content (not by how the host
was registered), names the product, and writes the fields Sigma rules read under their Sigma
taxonomy names into `extra` (see detection.pipelines for how rules reach them).

Pure functions, no database. Formats:

- Linux auditd records (EXECVE, SYSCALL, PATH, CWD, …) as audisp/auditd send them; the records
  of one audit event (same `msg=audit(time:serial)`) are assembled into a `process_creation` event
  (Image, CommandLine, ProcessId, ParentProcessId, CurrentDirectory, User) and, for created or
  deleted paths, a `file_event` (TargetFilename, Image).
- Squid native access.log lines (`proxy_request`: c-uri, cs-method, sc-status, cs-host, …).
- BIND query log lines (`dns_query`: query, record_type).
- Zeek JSON records (conn, dns, http, …): `zeek_log` from `_path` or from the fields present.
- Firewalls: Cisco ASA/IOS (`%ASA-6-302013:`), FortiGate key=value, Huawei USG (`%%01SECLOG/…`),
  Juniper SRX (RT_FLOW, `junos@2636` structured data).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

_KV = re.compile(r'([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S*)')


def key_values(text: str) -> dict[str, str]:
    """key=value and key="quoted value" pairs (auditd, FortiGate, Huawei, Juniper)."""
    out = {}
    for key, value in _KV.findall(text):
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = value[1:-1].replace('\\"', '"')
        out[key] = value
    return out


# --- auditd -------------------------------------------------------------------------------------
_AUDIT = re.compile(
    r"^(?:node=\S+ )?type=(?P<type>\w+) msg=audit\((?P<ts>[\d.]+):(?P<serial>\d+)\): ?"
)
_HEX = re.compile(r"^(?:[0-9A-F]{2})+$")


def _audit_value(value: str) -> str:
    """auditd writes values with spaces or quotes as hex (unquoted upper-case hex)."""
    if _HEX.match(value) and len(value) >= 2:
        try:
            return bytes.fromhex(value).decode("utf-8", "replace").replace("\x00", " ")
        except ValueError:
            return value
    return value


def parse_audit(event: dict) -> bool:
    """An auditd record in the message → program auditd, its fields in extra. True if it was."""
    message = event.get("message") or ""
    match = _AUDIT.match(message)
    if match is None:
        return False
    fields = key_values(message[match.end() :])
    extra = event.setdefault("extra", {})
    for key, value in fields.items():
        if key == "msg":  # USER_* records nest their own fields in msg='…'
            continue
        extra[key] = _audit_value(value) if key.startswith("a") and key[1:].isdigit() else value
    extra.update(
        type=match.group("type"), audit_serial=f"{match.group('ts')}:{match.group('serial')}"
    )
    event["program"] = "auditd"
    event["category"] = "linux"
    return True


def assemble_audit(events: list[dict]) -> list[dict]:
    """Process-creation and file events from the auditd records of one batch."""
    groups: dict[str, list[dict]] = {}
    for event in events:
        extra = event.get("extra") or {}
        if event.get("program") == "auditd" and extra.get("audit_serial"):
            groups.setdefault(extra["audit_serial"], []).append(event)
    derived = []
    for serial, records in groups.items():
        by_type: dict[str, list[dict]] = {}
        for record in records:
            by_type.setdefault(record["extra"]["type"], []).append(record["extra"])
        syscall = (by_type.get("SYSCALL") or [{}])[0]
        cwd = (by_type.get("CWD") or [{}])[0].get("cwd", "")
        base = records[0]
        common = {
            "Image": syscall.get("exe", ""),
            "ProcessId": syscall.get("pid", ""),
            "ParentProcessId": syscall.get("ppid", ""),
            "CurrentDirectory": cwd,
            "audit_serial": serial,
            "uid": syscall.get("uid", ""),
            "auid": syscall.get("auid", ""),
        }
        user = syscall.get("UID") or syscall.get("uid", "")
        if "EXECVE" in by_type:
            execve = by_type["EXECVE"][0]
            argc = int(execve.get("argc", "0") or 0) if str(execve.get("argc", "")).isdigit() else 0
            args = [execve.get(f"a{i}", "") for i in range(argc or 64) if f"a{i}" in execve]
            command_line = " ".join(args)
            derived.append(
                {
                    **_derived(base, "process_creation", user),
                    "message": command_line,
                    "extra": {**common, "CommandLine": command_line, "OriginalFileName": ""},
                }
            )
        for path in by_type.get("PATH", []):
            if path.get("nametype") in ("CREATE", "DELETE") and path.get("name"):
                name = path["name"]
                if not name.startswith("/") and cwd:
                    name = f"{cwd.rstrip('/')}/{name}"
                derived.append(
                    {
                        **_derived(base, "file_event", user),
                        "message": name,
                        "extra": {**common, "TargetFilename": name, "nametype": path["nametype"]},
                    }
                )
    return derived


def _derived(base: dict, action: str, user: str) -> dict:
    return {
        "time": base["time"],
        "host": base.get("host", ""),
        "program": "auditd",
        "category": "linux",
        "action": action,
        "user": user[:150],
        "severity": base.get("severity"),
        "raw": "",
        "_source": base.get("_source"),
    }


# --- squid --------------------------------------------------------------------------------------
_SQUID = re.compile(
    r"^(?P<ts>\d{9,10}\.\d{3})\s+(?P<elapsed>-?\d+) (?P<ip>\S+) (?P<code>[A-Z_]+)/(?P<status>\d{3}) "
    r"(?P<bytes>\d+) (?P<method>[A-Z]+) (?P<url>\S+) (?P<user>\S+) (?P<hier>[A-Z_]+)/(?P<peer>\S+) "
    r"(?P<type>\S+)(?: \"(?P<referer>[^\"]*)\" \"(?P<ua>[^\"]*)\")?"
)


def parse_squid(event: dict) -> bool:
    match = _SQUID.match(event.get("message") or "")
    if match is None:
        return False
    url = match.group("url")
    host, path, query = _split_url(url)
    extension = path.rsplit("/", 1)[-1].rsplit(".", 1)[1] if "." in path.rsplit("/", 1)[-1] else ""
    event.update(
        category="web",
        program=event.get("program") or "squid",
        action="proxy_request",
        src_ip=match.group("ip"),
        outcome="success" if int(match.group("status")) < 400 else "failure",
        time=datetime.fromtimestamp(float(match.group("ts")), UTC),
    )
    if match.group("user") != "-":
        event["user"] = match.group("user")[:150]
    extra = event.setdefault("extra", {})
    extra.update(
        {
            "c-uri": url[:2000],
            "cs-method": match.group("method"),
            "sc-status": match.group("status"),
            "cs-host": host,
            "r-dns": host,
            "c-uri-stem": path[:2000],
            "c-uri-query": query[:2000],
            "c-uri-extension": extension[:32],
            "cs-mime-type": match.group("type"),
            "squid_code": match.group("code"),
        }
    )
    if match.group("ua") is not None:
        extra["c-useragent"] = match.group("ua")[:500]
        extra["cs-referrer"] = match.group("referer")[:2000]
    return True


def _split_url(url: str) -> tuple[str, str, str]:
    rest = url.split("://", 1)[1] if "://" in url else url
    if "/" in rest:
        host, path = rest.split("/", 1)
        path = "/" + path
    else:
        host, path = rest, "/"
    query = path.split("?", 1)[1] if "?" in path else ""
    return host.split(":", 1)[0].lower(), path.split("?", 1)[0], query


# --- BIND query log -----------------------------------------------------------------------------
_BIND = re.compile(
    r"(?:queries: (?:info: )?)?client (?:@\S+ )?(?P<ip>[0-9a-fA-F:.]+)#\d+ \([^)]*\): "
    r"(?:view \S+: )?query: (?P<query>\S+) (?P<class>\S+) (?P<type>\S+) (?P<flags>\S+)"
    r"(?: \((?P<server>[^)]*)\))?"
)


def parse_bind(event: dict) -> bool:
    match = _BIND.search(event.get("message") or "")
    if match is None:
        return False
    event.update(
        category="network",
        program=event.get("program") or "named",
        action="dns_query",
        src_ip=match.group("ip"),
        outcome="success",
    )
    if match.group("server"):
        event["dst_ip"] = match.group("server")
    event.setdefault("extra", {}).update(
        query=match.group("query").rstrip(".").lower(),
        record_type=match.group("type"),
        query_class=match.group("class"),
    )
    return True


# --- zeek ---------------------------------------------------------------------------------------
_ZEEK_SHAPES = (
    ("dns", {"query", "qtype_name"}),
    ("http", {"method", "uri"}),
    ("conn", {"conn_state"}),
    ("ssl", {"server_name", "ssl_history"}),
    ("x509", {"certificate.subject"}),
    ("files", {"fuid", "mime_type"}),
    ("smb_files", {"action", "path", "name"}),
    ("dce_rpc", {"endpoint", "operation"}),
    ("rdp", {"cookie", "security_protocol"}),
    ("kerberos", {"request_type", "client"}),
)


def is_zeek(item) -> bool:
    return isinstance(item, dict) and "ts" in item and ("uid" in item or "_path" in item)


def zeek_item(item: dict) -> dict:
    """A Zeek JSON record as an HTTP batch item: time, program, the log it came from, addresses;
    every Zeek field stays in extra under its own name."""
    ts = item.get("ts")
    if isinstance(ts, int | float):
        time = datetime.fromtimestamp(float(ts), UTC).isoformat()
    else:
        time = str(ts)
    log = item.get("_path") or next(
        (name for name, keys in _ZEEK_SHAPES if keys <= item.keys()), "zeek"
    )
    fields = {k: v for k, v in item.items() if k not in ("ts",)}
    out = {
        "time": time,
        "program": "zeek",
        "category": "network",
        "message": json.dumps(fields, ensure_ascii=False, sort_keys=True)[:20000],
        "extra": {**fields, "zeek_log": log},
    }
    if item.get("id.orig_h"):
        out["src_ip"] = item["id.orig_h"]
    if item.get("id.resp_h"):
        out["dst_ip"] = item["id.resp_h"]
    if isinstance(item.get("id.resp_p"), int):
        out["dst_port"] = item["id.resp_p"]
    if log == "dns":
        out["action"] = "dns_query"
    elif log == "http":
        out["action"] = "http_request"
    elif log == "conn":
        out["action"] = "connection"
    elif isinstance(item.get("action"), str):
        out["action"] = item["action"][:64]
    return out


# --- firewalls ----------------------------------------------------------------------------------
_CISCO = re.compile(
    r"%(?P<facility>ASA|FTD|[A-Z][A-Z0-9_]+)-(?P<sev>\d)-(?P<mnemonic>[A-Z0-9_]+):\s*"
)
_ASA_CONN = re.compile(
    r"(?P<verb>Built|Teardown|Deny|Denied)\b.*?(?:src |from |for |outside:|inside:)"
)
_ASA_ADDR = re.compile(
    r"(?:src|from) (?:[\w-]+:)?(?P<src>[0-9a-fA-F:.]{7,45})/(?P<sport>\d+).*?"
    r"(?:dst|to) (?:[\w-]+:)?(?P<dst>[0-9a-fA-F:.]{7,45})/(?P<dport>\d+)"
)
_HUAWEI = re.compile(
    r"%%\d+(?P<module>[A-Z0-9_]+)/(?P<sev>\d)/(?P<info>[A-Z0-9_]+)(?:\([a-z]\))?(?:\[\d+\])?:\s*"
)


def parse_firewall(event: dict) -> bool:
    """Cisco, FortiGate, Huawei and Juniper lines: product, addresses, action, vendor fields."""
    message = event.get("message") or ""
    program = (event.get("program") or "").lower()
    extra = event.setdefault("extra", {})
    cisco = _CISCO.search(message[:200]) if "%" in message[:200] else None
    if cisco and not message[: cisco.start()].count("%%"):
        vendor = "asa" if cisco.group("facility") in ("ASA", "FTD") else "cisco"
        extra.update(
            cisco_facility=cisco.group("facility"),
            cisco_severity=cisco.group("sev"),
            cisco_mnemonic=cisco.group("mnemonic"),
        )
        addr = _ASA_ADDR.search(message)
        if addr:
            event.update(src_ip=addr.group("src"), dst_ip=addr.group("dst"))
            event["dst_port"] = int(addr.group("dport"))
            extra["src_port"] = addr.group("sport")
        if vendor == "asa":
            event["action"] = "connection"
            event["outcome"] = "blocked" if re.search(r"\bDen(y|ied)\b", message) else "success"
        if program and program not in ("asa", "cisco"):
            extra["app"] = program
        event.update(category="network", program=vendor)
        return True
    huawei = _HUAWEI.search(message[:200])
    if huawei:
        extra.update(huawei_module=huawei.group("module"), huawei_info=huawei.group("info"))
        fields = dict(re.findall(r"(\w+)=([^,;]*)", message[huawei.end() :]))
        extra.update({k: v for k, v in fields.items() if k not in ("message",)})
        if fields.get("SourceIP"):
            event["src_ip"] = fields["SourceIP"]
        if fields.get("DestinationIP"):
            event["dst_ip"] = fields["DestinationIP"]
        if fields.get("DestinationPort", "").isdigit():
            event["dst_port"] = int(fields["DestinationPort"])
        if huawei.group("module") in ("SECLOG", "POLICY"):
            event["action"] = "connection"
            event["outcome"] = "blocked" if "deny" in message.lower() else "success"
        event.update(category="network", program="huawei")
        return True
    sd = extra.get("sd") or {}
    if any(key.startswith("junos@2636") for key in sd) or program.startswith(("rt_", "rpd")):
        for params in sd.values():
            extra.update(params)
        if extra.get("source-address"):
            event["src_ip"] = extra["source-address"]
        if extra.get("destination-address"):
            event["dst_ip"] = extra["destination-address"]
        if str(extra.get("destination-port", "")).isdigit():
            event["dst_port"] = int(extra["destination-port"])
        if program.startswith("rt_flow"):
            event["action"] = "connection"
            denied = "DENY" in f"{message} {extra.get('msgid', '')}".upper()
            event["outcome"] = "blocked" if denied else "success"
        extra["app"] = program
        event.update(category="network", program="juniper")
        return True
    if message.startswith("date=") and ("devname=" in message or "devid=" in message):
        return parse_fortigate(event)
    return False


def parse_fortigate(event: dict) -> bool:
    message = event.get("message") or ""
    fields = key_values(message)
    extra = event.setdefault("extra", {})
    extra.update({k: v for k, v in fields.items() if k not in ("action",)})
    if fields.get("srcip"):
        event["src_ip"] = fields["srcip"]
    if fields.get("dstip"):
        event["dst_ip"] = fields["dstip"]
    if fields.get("dstport", "").isdigit():
        event["dst_port"] = int(fields["dstport"])
    if fields.get("user"):
        event["user"] = fields["user"][:150]
    if fields.get("action"):
        event["action"] = fields["action"].lower()[:64]
    if fields.get("type") == "traffic":
        event["outcome"] = "blocked" if fields.get("action") in ("deny", "block") else "success"
    event.update(
        category="network", program="fortigate", host=fields.get("devname") or event.get("host", "")
    )
    return True


def fortigate_line(text: str, now: datetime) -> dict | None:
    """A FortiGate line sent without a syslog header (`date=… time=… devname=…`)."""
    if not (text.startswith("date=") and "devname=" in text):
        return None
    fields = key_values(text)
    try:
        time = datetime.fromisoformat(f"{fields.get('date')}T{fields.get('time')}")
    except ValueError:
        time = now
    if time.tzinfo is None:
        tz = fields.get("tz", "")
        if re.fullmatch(r"[+-]\d{4}", tz):
            time = datetime.fromisoformat(f"{time.isoformat()}{tz[:3]}:{tz[3:]}")
        else:
            time = time.replace(tzinfo=UTC)
    return {
        "time": time.astimezone(UTC),
        "host": fields.get("devname", "")[:255],
        "program": "fortigate",
        "message": text,
        "extra": {},
    }
