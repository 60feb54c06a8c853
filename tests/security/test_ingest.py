"""Syslog (RFC 5424 / RFC 3164) and JSON item normalisation."""

from datetime import UTC, datetime

import pytest

from xizang5g.security.ingest import BadInput, enrich, normalise_json_item, parse_syslog

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_rfc5424_with_structured_data_and_bom():
    event = parse_syslog(
        b"<165>1 2026-11-23T10:00:00.5+08:00 mymachine.example.com evntslog - ID47 "
        b'[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][x@1 q="a\\"b"] \xef\xbb\xbfAn application event',
        now=NOW,
    )
    assert event["time"] == datetime(2026, 11, 23, 2, 0, 0, 500000, tzinfo=UTC)
    assert event["host"] == "mymachine.example.com" and event["program"] == "evntslog"
    assert event["severity"] == 5 and event["extra"]["facility"] == 20
    assert event["extra"]["sd"]["exampleSDID@32473"]["eventID"] == "1011"
    assert event["extra"]["sd"]["x@1"]["q"] == 'a"b'
    assert event["message"] == "An application event" and event["extra"]["msgid"] == "ID47"


def test_rfc3164_local_time_and_tag():
    event = parse_syslog(
        b"<38>Nov  3 09:15:01 host1 sshd[812]: Accepted password for root from 10.1.2.3 port 22 ssh2",
        now=NOW,
    )
    assert event["time"] == datetime(2026, 11, 3, 1, 15, 1, tzinfo=UTC)  # Beijing time → UTC
    assert event["program"] == "sshd" and event["host"] == "host1"
    enrich(event)
    assert (
        event["category"],
        event["action"],
        event["outcome"],
        event["user"],
        event["src_ip"],
    ) == ("linux", "login", "success", "root", "10.1.2.3")


def test_rfc3164_december_line_read_in_january():
    event = parse_syslog(
        b"<13>Dec 31 23:59:59 h app: x", now=datetime(2027, 1, 1, 0, 0, 5, tzinfo=UTC)
    )
    assert event["time"].year == 2026


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"", "empty line"),
        (b"hello", "no <PRI> header"),
        (b"<192>1 - - - - - - x", "PRI 192 out of range"),
        (b"<13>\xff\xfe", "not UTF-8"),
        (b"<13>1 notatime host app - - - msg", "bad RFC 5424 timestamp"),
        (b"<13>1 2026-11-23T10:00:00 host app - - - msg", "without time zone"),
        (b"<13>1 2026-11-23T10:00:00Z host app - - [broken msg", "malformed STRUCTURED-DATA"),
        (b"<13>Feb 30 10:00:00 host app: x", "bad RFC 3164 date"),
        (b"<13>just some text", "neither RFC 5424 nor RFC 3164"),
        (b"<13>" + b"a" * 70000, "line longer than"),
    ],
)
def test_bad_lines_name_the_reason(line, reason):
    with pytest.raises(BadInput, match=reason):
        parse_syslog(line, now=NOW)


def test_web_access_and_firewall_enrichment():
    web = enrich(
        {
            "program": "nginx",
            "message": '203.0.113.9 - bob [23/Nov/2026:10:00:00 +0800] "GET /a?b=1 HTTP/1.1" 403 12 "-" "curl/8"',
        }
    )
    assert web["category"] == "web" and web["outcome"] == "failure" and web["user"] == "bob"
    assert web["extra"] == {
        "method": "GET",
        "url": "/a?b=1",
        "status": "403",
        "user_agent": "curl/8",
        "referer": "-",
    }
    fw = enrich(
        {
            "program": "kernel",
            "message": "[UFW BLOCK] IN=eth0 SRC=198.51.100.4 DST=10.0.0.1 PROTO=TCP DPT=445",
        }
    )
    assert (fw["category"], fw["dst_port"], fw["outcome"], fw["action"]) == (
        "network",
        445,
        "blocked",
        "connection",
    )
    unknown = enrich({"program": "myapp", "message": "hello"}, fallback="application")
    assert unknown["category"] == "application"


def test_json_items():
    event = normalise_json_item(
        {
            "time": "2026-11-23T10:00:00+08:00",
            "message": "x",
            "Action": "Y",
            "src_ip": "::1",
            "dst_port": "443",
            "outcome": "FAILURE",
        }
    )
    assert event["src_ip"] == "::1" and event["dst_port"] == 443 and event["outcome"] == "failure"
    assert event["extra"] == {"Action": "Y"}
    for item, reason in [
        ({"message": "x", "time": "2026-11-23T10:00:00"}, "time zone"),
        ({"message": "x", "time": "2026-11-23T10:00:00Z", "dst_port": 70000}, "port"),
        ({"message": "x", "time": "2026-11-23T10:00:00Z", "severity": 9}, "severity"),
        ({"message": 5, "time": "2026-11-23T10:00:00Z"}, "must be a string"),
        ({"time": "2026-11-23T10:00:00Z"}, "message or action"),
    ]:
        with pytest.raises(BadInput, match=reason):
            normalise_json_item(item)
