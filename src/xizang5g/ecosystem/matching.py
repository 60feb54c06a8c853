"""Matchmaking: suggest solutions for a demand and demands for a solution.

The score (0–100, docs/ecosystem.md) is a weighted sum of four parts in [0, 1]:

* industries (weight 25): the share of the asking post's industries the candidate shares;
* scenarios (weight 30): the same for the plan's application scenarios (a post that names none
  counts as sharing none);
* prefectures (weight 15): the share of the asking post's prefectures the candidate covers; a side
  that names no prefecture works region-wide and counts for half (PREFECTURE_ANYWHERE);
* text (weight 30): the cosine similarity of the TF-IDF vectors of the two texts (title twice +
  description), over jieba's search-mode tokens without stop words, with inverse document
  frequencies taken over all published demands and solutions.

A candidate sharing neither an industry nor a scenario is suggested only when the texts alone are
close (cosine at least MIN_TEXT_ALONE); "5G" itself is a stop word, since every post names it.

The reasons given with each suggestion are the shared industries, scenarios, prefectures and the
shared keywords that contribute most to the text similarity.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import jieba

from xizang5g.ecosystem import constants as C

_lock = threading.Lock()
_ready = False

# Function words and the generic verbs of every proposal; IDF weighs down the rest.
STOP_WORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "等",
        "在",
        "对",
        "为",
        "是",
        "有",
        "将",
        "把",
        "被",
        "从",
        "到",
        "向",
        "以",
        "于",
        "由",
        "并",
        "而",
        "且",
        "其",
        "之",
        "这",
        "那",
        "个",
        "各",
        "每",
        "本",
        "该",
        "我们",
        "我方",
        "贵方",
        "你们",
        "他们",
        "以及",
        "或者",
        "并且",
        "以便",
        "用于",
        "通过",
        "进行",
        "实现",
        "基于",
        "相关",
        "一个",
        "一种",
        "一套",
        "一批",
        "可以",
        "能够",
        "需要",
        "希望",
        "要求",
        "提供",
        "支持",
        "具有",
        "包括",
        "主要",
        "目前",
        "现有",
        "已经",
        "正在",
        "开展",
        "利用",
        "采用",
        "建设",
        "方面",
        "问题",
        "情况",
        "5g",
        "我司",
        "公司",
        "单位",
        "我们的",
        "如何",
        "什么",
        "哪些",
        "多个",
        "若干",
        "所有",
        "整体",
        "全面",
        "有效",
        "进一步",
        "同时",
        "其中",
        "以上",
        "以下",
        "左右",
    ]
)
_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[a-z0-9][a-z0-9.+-]*[a-z0-9]", re.IGNORECASE)


def _init() -> None:
    global _ready
    if _ready:
        return
    with _lock:
        if not _ready:
            jieba.setLogLevel(60)  # quiet: no "Building prefix dict" lines on stderr
            jieba.initialize()
            _ready = True


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[str, ...]:
    """jieba search-mode tokens of `text` that carry meaning: Chinese words of two or more
    characters and Latin/number terms (5G, MEC, AI), lower-cased, without stop words."""
    _init()
    out = []
    for token in jieba.lcut_for_search(text or ""):
        token = token.strip().lower()
        if token in STOP_WORDS or not _WORD.fullmatch(token):
            continue
        out.append(token)
    return tuple(out)


def document_tokens(post) -> tuple[str, ...]:
    """A post's text: its title counts twice (it names what matters)."""
    return tokens(post.title) * 2 + tokens(post.description)


@dataclass
class Suggestion:
    post: object  # the matched Demand or Solution
    score: float
    parts: dict  # part → value in [0, 1]
    industries: list = field(default_factory=list)
    scenarios: list = field(default_factory=list)
    prefectures: list = field(default_factory=list)
    keywords: list = field(default_factory=list)


def _tags(post) -> dict[str, dict[int, object]]:
    return {
        "industries": {i.pk: i for i in post.industries.all()},
        "scenarios": {s.pk: s for s in post.scenarios.all()},
        "prefectures": {p.pk: p for p in post.prefectures.all()},
    }


def _share(asked: dict, offered: dict) -> float:
    if not asked:
        return 0.0
    return len(asked.keys() & offered.keys()) / len(asked)


def _prefecture_part(asked: dict, offered: dict) -> float:
    if not asked or not offered:
        return C.PREFECTURE_ANYWHERE
    return _share(asked, offered)


def _idf(documents: list[tuple[str, ...]]) -> dict[str, float]:
    n = len(documents)
    df = Counter(t for doc in documents for t in set(doc))
    return {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}


def _vector(doc: tuple[str, ...], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(doc)
    return {t: (1 + math.log(c)) * idf.get(t, 1.0) for t, c in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> tuple[float, list[str]]:
    shared = a.keys() & b.keys()
    if not shared:
        return 0.0, []
    dot = {t: a[t] * b[t] for t in shared}
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    ranked = sorted(shared, key=lambda t: (-dot[t], t))
    return sum(dot.values()) / norm, ranked[: C.KEYWORDS_SHOWN]


def rank(subject, candidates, corpus=None) -> list[Suggestion]:
    """Score every candidate for `subject` (a demand against solutions or the reverse), best
    first, dropping those below MIN_SCORE. `corpus`: the posts whose texts give the inverse
    document frequencies (default: the subject and the candidates)."""
    candidates = list(candidates)
    corpus_docs = [document_tokens(p) for p in (corpus if corpus is not None else candidates)]
    subject_doc = document_tokens(subject)
    idf = _idf([*corpus_docs, subject_doc])
    subject_vec = _vector(subject_doc, idf)
    asked = _tags(subject)
    out = []
    for post in candidates:
        offered = _tags(post)
        text, keywords = _cosine(subject_vec, _vector(document_tokens(post), idf))
        parts = {
            "industry": _share(asked["industries"], offered["industries"]),
            "scenario": _share(asked["scenarios"], offered["scenarios"]),
            "prefecture": _prefecture_part(asked["prefectures"], offered["prefectures"]),
            "text": text,
        }
        score = (
            100
            * (
                C.WEIGHT_INDUSTRY * parts["industry"]
                + C.WEIGHT_SCENARIO * parts["scenario"]
                + C.WEIGHT_PREFECTURE * parts["prefecture"]
                + C.WEIGHT_TEXT * parts["text"]
            )
            / (C.WEIGHT_INDUSTRY + C.WEIGHT_SCENARIO + C.WEIGHT_PREFECTURE + C.WEIGHT_TEXT)
        )
        # Without a shared industry or scenario only a close text relates the two: the prefecture
        # and a few generic shared words are no reason to suggest a match.
        if not (parts["industry"] or parts["scenario"]) and text < C.MIN_TEXT_ALONE:
            continue
        if score < C.MIN_SCORE:
            continue
        out.append(
            Suggestion(
                post=post,
                score=round(score, 1),
                parts={k: round(v, 3) for k, v in parts.items()},
                industries=[
                    offered["industries"][k]
                    for k in asked["industries"].keys() & offered["industries"].keys()
                ],
                scenarios=[
                    offered["scenarios"][k]
                    for k in asked["scenarios"].keys() & offered["scenarios"].keys()
                ],
                prefectures=[
                    offered["prefectures"][k]
                    for k in asked["prefectures"].keys() & offered["prefectures"].keys()
                ],
                keywords=keywords,
            )
        )
    out.sort(key=lambda s: (-s.score, s.post.pk))
    return out[: C.SUGGESTIONS]
