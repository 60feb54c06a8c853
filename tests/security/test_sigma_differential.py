"""Differential test: for every loaded rule (the SigmaHQ corpus in ../shared/sigmahq-rules/ and the
shipped pack) events that should hit and near misses are generated, and the project's verdict on
each must equal pySigma's SQLite backend's (the Zircolite approach) on the same event."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.sigma_oracle import SqliteOracle, events_for, project_event
from xizang5g.security.detection.sigma import RuleError, SigmaEngine, compile_check, parse_rule
from xizang5g.security.ingest import complete_event
from xizang5g.security.services.rules import RULES_DIR

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "sigmahq-rules" / "rules"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/sigmahq-rules/rules")


def _load(paths: list[Path]):
    loaded, refused = [], {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        try:
            parsed = parse_rule(text)
            compile_check(parsed)
        except RuleError as exc:
            refused[path.name] = exc.problems
            continue
        loaded.append((path, text, parsed))
    return loaded, refused


def _differential(loaded) -> tuple[list[str], int, int, list[str]]:
    engine = SigmaEngine([parsed for _path, _text, parsed in loaded])
    oracle = SqliteOracle()
    disagreements, hits, misses, no_hit = [], 0, 0, []
    for path, text, parsed in loaded:
        flat_events = events_for(text)
        queries, fields = oracle.queries(text)
        db = oracle.connect(flat_events, fields)
        reference = oracle.hits(db, queries)
        rule_hits = 0
        events = [
            project_event(flat, parsed.conditions, parsed.pyrule.logsource) for flat in flat_events
        ]
        # the batch matcher (ingest's path) must agree with the single-event one
        batch = {
            pos
            for pos, index in engine.match_batch([complete_event(dict(e)) for e in events])
            if engine.rules[index].rule_id == parsed.rule_id
        }
        for n, (flat, event) in enumerate(zip(flat_events, events, strict=True), start=1):
            ours = any(r.rule_id == parsed.rule_id for r in engine.match(event))
            if ours != (n - 1 in batch):
                disagreements.append(f"{path.name}: single={ours} batch={not ours} {flat!r}")
            theirs = n in reference
            if ours != theirs:
                disagreements.append(f"{path.name}: ours={ours} sqlite={theirs} event={flat!r}")
            hits += theirs
            misses += not theirs
            rule_hits += theirs
        if not rule_hits:
            no_hit.append(path.name)
    return disagreements, hits, misses, no_hit


def test_shipped_pack_agrees_with_pysigma_sqlite():
    paths = [p for p in sorted(RULES_DIR.glob("**/*.yml")) if p.parent.name != "correlation"]
    loaded, refused = _load(paths)
    assert not refused
    disagreements, hits, misses, no_hit = _differential(loaded)
    assert not disagreements, "\n".join(disagreements[:20])
    assert not no_hit, f"no generated hit for {no_hit}"
    assert hits >= len(loaded) and misses >= len(loaded)


def test_sigmahq_corpus_loads_and_agrees_with_pysigma_sqlite():
    if not CORPUS.exists():
        pytest.skip(f"the SigmaHQ corpus is not at {CORPUS} (../shared/sigmahq-rules/)")
    paths = sorted(CORPUS.glob("**/*.yml"))
    loaded, refused = _load(paths)
    print(f"{len(loaded)} of {len(paths)} SigmaHQ rules load; refused: {refused}")
    assert len(loaded) >= 0.95 * len(paths)
    disagreements, hits, misses, no_hit = _differential(loaded)
    print(f"{hits} generated hits, {misses} near misses; rules without a hit: {no_hit}")
    assert not disagreements, f"{len(disagreements)} disagreements:\n" + "\n".join(
        disagreements[:30]
    )
    # every rule is exercised by at least one event SQLite calls a hit
    assert len(no_hit) <= 0.02 * len(loaded), no_hit
