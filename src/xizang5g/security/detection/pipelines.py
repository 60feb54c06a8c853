"""Log sources: which events a Sigma `logsource` selects, and how its field names map onto the
normalised event (a pySigma processing pipeline).

The parsers (security.ingest and security.parsers) put every field they extract that is not one of
the normalised columns into the event's `extra` under its Sigma taxonomy name (`Image`,
`CommandLine`, `c-uri`, `query` …). The pipeline therefore maps the few Sigma names that have a
column of their own (addresses, port, user, host, message) onto that column, maps the web-server
names onto the keys the access-log parser has always written, and prefixes every other field with
`extra.`. A rule is transformed by the pipeline before it is compiled (see detection.sigma).
"""

from __future__ import annotations

from functools import cache

from sigma.processing.conditions import ExcludeFieldCondition, LogsourceCondition
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations import (
    AddFieldnamePrefixTransformation,
    FieldMappingTransformation,
)

from xizang5g.security.constants import EVENT_FIELDS

# Sigma field names with a column of their own, in every log source.
CORE_FIELDS = {
    "c-ip": "src_ip",
    "src_ip": "src_ip",
    "SourceIp": "src_ip",
    "id.orig_h": "src_ip",
    "dst_ip": "dst_ip",
    "DestinationIp": "dst_ip",
    "id.resp_h": "dst_ip",
    "dst_port": "dst_port",
    "DestinationPort": "dst_port",
    "id.resp_p": "dst_port",
    "cs-username": "user",
    "User": "user",
    "user": "user",
    "host": "host",
    "Computer": "host",
    "program": "program",
    "action": "action",
    "outcome": "outcome",
    "message": "message",
    "Message": "message",
    "rejected_count": "extra.count",  # IoT payload rejections so far (platform events)
}
# Web-server access logs: the keys the access-log parser writes (ingest.enrich).
WEB_FIELDS = {
    "cs-method": "extra.method",
    "cs-uri-query": "extra.url",
    "cs-uri-stem": "extra.url",
    "cs-uri": "extra.url",
    "sc-status": "extra.status",
    "cs-user-agent": "extra.user_agent",
    "cs-referer": "extra.referer",
    "cs-referrer": "extra.referer",
}

# Sigma logsource → conditions on the normalised event (field → accepted lower-case values).
PRODUCTS = {
    "linux": {"category": ("linux",)},
    "zeek": {"category": ("network",), "program": ("zeek",)},
    "cisco": {"category": ("network",), "program": ("cisco", "asa")},
    "fortigate": {"category": ("network",), "program": ("fortigate",)},
    "huawei": {"category": ("network",), "program": ("huawei",)},
    "juniper": {"category": ("network",), "program": ("juniper",)},
    "network": {"category": ("network",)},
    "xizang5g": {"category": ("platform",)},
}
CATEGORIES = {
    "process_creation": {"action": ("process_creation",)},
    "file_event": {"action": ("file_event",)},
    "network_connection": {"action": ("network_connection",)},
    # Access and error logs; proxy lines are web events too, told apart by their action.
    "webserver": {"category": ("web",)},
    "proxy": {"category": ("web",), "action": ("proxy_request",)},
    "dns": {"category": ("network",), "action": ("dns_query",)},
    "firewall": {"category": ("network",)},
    "application": {"category": ("application",)},
}
SERVICES = {
    "sshd": {"program": ("sshd",)},
    "sudo": {"program": ("sudo",)},
    "su": {"program": ("su",)},
    "cron": {"program": ("cron", "crond", "anacron")},
    "auth": {},
    "syslog": {},
    "auditd": {"program": ("auditd",)},
    "clamav": {"program": ("clamd", "freshclam", "clamav", "clamav-milter")},
    "guacamole": {"program": ("guacd", "guacamole")},
    "vsftpd": {"program": ("vsftpd",)},
    "apache": {"program": ("apache", "apache2", "httpd")},
    "nginx": {"program": ("nginx",)},
}
# Services of a product: (product, service) → conditions.
PRODUCT_SERVICES = {
    **{
        ("zeek", s): {"extra.zeek_log": (s,)}
        for s in (
            "conn",
            "dns",
            "http",
            "smb_files",
            "dce_rpc",
            "x509",
            "rdp",
            "kerberos",
            "ssl",
            "files",
            "notice",
        )
    },
    ("cisco", "aaa"): {},
    ("cisco", "bgp"): {},
    ("cisco", "ldp"): {},
    ("cisco", "asa"): {"program": ("asa", "cisco")},
    ("fortigate", "event"): {"extra.type": ("event",)},
    ("fortigate", "traffic"): {"extra.type": ("traffic",)},
    ("huawei", "bgp"): {},
    ("juniper", "bgp"): {},
}


def logsource_conditions(product, category, service) -> tuple[dict[str, tuple[str, ...]], list]:
    """Conditions on the normalised event for a Sigma logsource, and the parts not collected."""
    conditions: dict[str, tuple[str, ...]] = {}
    problems = []
    if product:
        mapped = PRODUCTS.get(product)
        if mapped is None:
            problems.append(f"log source product: {product} is not collected by this platform")
        else:
            conditions.update(mapped)
    if category:
        mapped = CATEGORIES.get(category)
        if mapped is None:
            problems.append(f"log source category: {category} is not collected by this platform")
        else:
            for key, values in mapped.items():
                if key in conditions and not set(values) & set(conditions[key]):
                    problems.append(f"log source {product}/{category} selects no event")
                conditions[key] = values
    if service:
        mapped = PRODUCT_SERVICES.get((product, service))
        if mapped is None:
            mapped = SERVICES.get(service)
        if mapped is None:
            problems.append(f"log source service: {service} is not collected by this platform")
        else:
            conditions.update(mapped)
    return conditions, problems


_KEEP = [f"^{name}$" for name in EVENT_FIELDS] + [r"^extra\."]


@cache
def pipeline() -> ProcessingPipeline:
    """The processing pipeline every rule goes through before it is compiled."""
    web = [LogsourceCondition(category="webserver"), LogsourceCondition(service="apache")]
    web.append(LogsourceCondition(service="nginx"))
    items = [
        ProcessingItem(
            FieldMappingTransformation(WEB_FIELDS),
            identifier="xz5g_web_fields",
            rule_conditions=web,
            rule_condition_linking=any,
        ),
        ProcessingItem(FieldMappingTransformation(CORE_FIELDS), identifier="xz5g_core_fields"),
        ProcessingItem(
            AddFieldnamePrefixTransformation("extra."),
            identifier="xz5g_extra_fields",
            field_name_conditions=[ExcludeFieldCondition(fields=_KEEP, mode="re")],
        ),
    ]
    return ProcessingPipeline(name="xizang5g normalised events", priority=20, items=items)
