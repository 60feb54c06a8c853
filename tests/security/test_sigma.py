"""Sigma rules: validation with pySigma and the semantics of the compiled matchers."""

import pytest

from xizang5g.security.detection.sigma import RuleError, SigmaEngine, compile_check, parse_rule
from xizang5g.security.ingest import complete_event

HEAD = """title: t
id: 9b7c4a4e-3f9a-4a0e-8a55-0000000000{n:02d}
status: test
level: medium
logsource:
  {logsource}
detection:
"""


def rule(detection: str, *, n: int = 1, logsource: str = "product: linux") -> str:
    return HEAD.format(n=n, logsource=logsource) + detection


def engine_for(*texts, mapping=None) -> SigmaEngine:
    return SigmaEngine([parse_rule(t) for t in texts], mapping)


def matches(engine, **event) -> bool:
    event.setdefault("category", "linux")
    single = bool(engine.match(event))
    assert single == bool(engine.match_batch([complete_event(dict(event))]))
    return single


def test_modifiers_and_case_insensitivity():
    engine = engine_for(
        rule("""  sel:
    message|contains|all: ['Failed', 'root']
    user|startswith: 'adm'
    host|endswith: '.gov.cn'
  filter:
    src_ip|cidr: '10.0.0.0/8'
  condition: sel and not filter
""")
    )
    ok = {
        "message": "FAILED password for ROOT",
        "user": "Administrator",
        "host": "www.XZ.gov.cn",
        "src_ip": "203.0.113.5",
    }
    assert matches(engine, **ok)
    assert not matches(engine, **{**ok, "src_ip": "10.1.2.3"})
    assert not matches(engine, **{**ok, "message": "Failed password for admin"})
    assert not matches(engine, **{**ok, "category": "web"})  # logsource product: linux


def test_wildcards_regex_numbers_null_and_one_of():
    engine = engine_for(
        rule("""  a:
    message: 'user * logged in from ?.?.?.?'
  b:
    message|re: '^Accepted \\w+ for (root|admin)'
  c:
    dst_port:
      - 22
      - 23
    user: null
  condition: 1 of them
""")
    )
    assert matches(engine, message="User bob logged in from 1.2.3.4")
    assert matches(engine, message="Accepted password for root from x")
    assert not matches(
        engine, message="accepted password for root from x"
    )  # regex is case-sensitive
    assert matches(engine, message="-", dst_port=23)
    assert not matches(engine, message="-", dst_port=23, user="bob")


def test_field_mapping_and_unmapped_fields():
    web = rule(
        """  sel:
    cs-uri-query|contains: '/.git/'
    UserAgentThing: 'x'
  condition: sel
""",
        logsource="category: webserver",
    )
    parsed = parse_rule(web)
    compile_check(parsed)  # a field without a column of its own reads extra.<name>
    default = engine_for(web)
    assert matches(default, category="web", extra={"url": "/.git/config", "UserAgentThing": "X"})
    assert not matches(default, category="web", extra={"url": "/.git/config", "user_agent": "X"})
    compile_check(parsed, {"UserAgentThing": "extra.user_agent"})
    engine = engine_for(web, mapping={"UserAgentThing": "extra.user_agent"})
    assert matches(engine, category="web", extra={"url": "/.git/config", "user_agent": "X"})
    with pytest.raises(RuleError, match="UserAgentThing"):
        compile_check(parsed, {"UserAgentThing": "nowhere"})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("title: [unclosed", "YAML|Sigma"),
        (
            "title: x\nlogsource: {product: linux}\ndetection: {sel: {a: 1}, condition: sel}\nlevel: low\n",
            "id",
        ),
        (
            rule("  sel:\n    message: x\n  condition: sel\n", logsource="product: windows"),
            "windows",
        ),
        (rule("  sel:\n    message: x\n  condition: nothere\n"), "nothere|identifier"),
    ],
)
def test_invalid_rules_are_refused_with_reasons(text, problem):
    import re

    with pytest.raises(RuleError) as info:
        parse_rule(text)
    assert re.search(problem, str(info.value), re.IGNORECASE), str(info.value)


def test_literal_that_looks_like_a_helper_name_is_not_rewritten():
    engine = engine_for(
        rule("  sel:\n    message|contains: '_r0h0'\n  condition: sel\n"),
        rule("  sel:\n    message|re: 'x+y'\n  condition: sel\n", n=2),
    )
    assert matches(engine, message="value _r0h0 here")
    assert not matches(engine, message="value _r1h0 here")
