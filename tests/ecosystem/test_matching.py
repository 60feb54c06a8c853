"""Matchmaking: the relevant solution ranks first, with reasons from shared tags and jieba tokens."""

import pytest

from xizang5g.ecosystem import constants as C
from xizang5g.ecosystem import matching, selectors, services


def test_tokens_are_jieba_words_without_stop_words():
    words = matching.tokens("我们需要建设矿区5G专网，实现尾矿库安全监测和井下人员定位")
    assert "尾矿库" in words or "尾矿" in words
    assert "井下" in words and "人员" in words and "定位" in words
    assert "5g" not in words  # every post of the ecosystem names it: no information
    assert "我们" not in words and "需要" not in words and "的" not in words
    assert all(len(w) >= 2 for w in words)


@pytest.fixture
def market(approved, publish):
    _mine, mine_user = approved("藏北矿业", "mine")
    _cmcc, cmcc_user = approved("移动西藏", "cmcc1", "operator")
    _other, other_user = approved("旅游科技", "tour")
    _school, school_user = approved("西藏大学", "xzu", "university")
    demand = publish(
        "demand",
        mine_user,
        "矿区5G专网与尾矿库安全监测",
        "井下和露天采场覆盖5G专网，尾矿库坝体位移和浸润线在线监测预警，井下人员定位。",
        industries=["mining"],
        scenarios=["mine-safety-monitoring"],
        prefectures=[540100],
    )
    relevant = publish(
        "solution",
        cmcc_user,
        "5G智慧矿山专网解决方案",
        "面向高海拔矿山的5G专网：尾矿库安全监测、井下人员定位、有害气体监测。",
        industries=["mining"],
        scenarios=["mine-safety-monitoring", "intelligent-extraction"],
        prefectures=[540100, 540200],
    )
    tourism = publish(
        "solution",
        other_user,
        "5G智慧景区人流预警",
        "基于5G信令和闸机数据的景区人流监测与预警，游客分流引导。",
        industries=["culture-tourism"],
        scenarios=["crowd-flow-warning"],
        prefectures=[540100],
    )
    classroom = publish(
        "solution",
        school_user,
        "远程互动课堂",
        "高清双向音视频，藏汉双语课程，适用于偏远县中学。",
        industries=["education"],
        scenarios=["remote-interactive-teaching"],
    )
    # Text only, same industry: a second mining offer without the scenario.
    text_only = publish(
        "solution",
        other_user,
        "矿山尾矿库监测设备",
        "尾矿库坝体位移监测仪和浸润线传感器。",
        industries=["mining"],
    )
    return {
        "demand": demand,
        "relevant": relevant,
        "tourism": tourism,
        "classroom": classroom,
        "text_only": text_only,
        "mine_user": mine_user,
        "cmcc_user": cmcc_user,
    }


def test_relevant_solution_first_with_reasons(market):
    found = selectors.suggestions_for_demand(user=market["mine_user"], demand=market["demand"])
    posts = [s.post for s in found]
    assert posts[0] == market["relevant"]
    assert market["text_only"] in posts
    assert posts.index(market["text_only"]) > 0
    # Unrelated solutions (another industry, only generic shared words) are not suggested.
    assert market["classroom"] not in posts
    assert market["tourism"] not in posts
    best = found[0]
    assert [i.code for i in best.industries] == ["mining"]
    assert [s.code for s in best.scenarios] == ["mine-safety-monitoring"]
    assert [p.adcode for p in best.prefectures] == [540100]
    assert set(best.keywords) & {"尾矿库", "尾矿", "井下", "定位", "专网"}
    # The score is the documented weighted sum of its parts.
    parts = best.parts
    expected = (
        C.WEIGHT_INDUSTRY * parts["industry"]
        + C.WEIGHT_SCENARIO * parts["scenario"]
        + C.WEIGHT_PREFECTURE * parts["prefecture"]
        + C.WEIGHT_TEXT * parts["text"]
    )
    assert best.score == pytest.approx(expected, abs=0.2)
    assert parts["industry"] == 1 and parts["scenario"] == 1 and parts["prefecture"] == 1
    assert 0 < parts["text"] < 1


def test_a_close_text_alone_is_suggested(market, approved, publish):
    _org, vendor = approved("监测设备公司", "vendor")
    # No industry or scenario in common (filed under parks), but the same subject in words.
    close = publish(
        "solution",
        vendor,
        "尾矿库坝体位移在线监测预警",
        "尾矿库坝体位移和浸润线在线监测预警，井下人员定位。",
        industries=["park"],
    )
    found = {
        s.post.pk: s
        for s in selectors.suggestions_for_demand(user=market["mine_user"], demand=market["demand"])
    }
    assert close.pk in found
    assert (
        found[close.pk].parts["industry"] == 0 and found[close.pk].parts["text"] >= C.MIN_TEXT_ALONE
    )
    assert found[close.pk].score < found[market["relevant"].pk].score


def test_solution_side_sees_the_demand(market):
    found = selectors.suggestions_for_solution(
        user=market["cmcc_user"], solution=market["relevant"]
    )
    assert found[0].post == market["demand"]
    assert found[0].keywords


def test_own_and_unpublished_posts_are_not_suggested(market, approved, catalogue):
    # The mine's own draft solution is not offered to its demand.
    draft = services.solution_create(
        user=market["mine_user"],
        values={"title": "矿区5G专网", "description": "尾矿库安全监测", "maturity": "concept"},
        tags={"industries": [catalogue["mining"]]},
    )
    found = selectors.suggestions_for_demand(user=market["mine_user"], demand=market["demand"])
    assert draft not in [s.post for s in found]


def test_closed_solution_is_no_longer_suggested(market):
    services.post_close(post=market["relevant"], user=market["cmcc_user"])
    found = selectors.suggestions_for_demand(user=market["mine_user"], demand=market["demand"])
    assert market["relevant"] not in [s.post for s in found]
