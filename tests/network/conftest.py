"""Fixtures of the 5G supervision tests: operators, users, a small synthetic region."""

import pytest

from tests.network.factories import build_region, build_terrain
from xizang5g.core.choices import Role, UnitKind


@pytest.fixture
def operators(make_unit):
    return {
        code: make_unit(code, name, UnitKind.OPERATOR)
        for code, name in (
            ("ct-xz", "中国电信西藏分公司"),
            ("cm-xz", "中国移动西藏公司"),
            ("cu-xz", "中国联通西藏分公司"),
        )
    }


@pytest.fixture
def broadcaster(make_unit):
    return make_unit("xz-radio-tv", "西藏广播电视局", UnitKind.DEPARTMENT)


@pytest.fixture
def regulator(make_user, make_unit):
    return make_user("regulator1", Role.REGULATOR, make_unit("xz-ca", "西藏自治区通信管理局"))


@pytest.fixture
def ct_editor(make_user, operators):
    return make_user("ct-editor", Role.UNIT_EDITOR, operators["ct-xz"])


@pytest.fixture
def cm_editor(make_user, operators):
    return make_user("cm-editor", Role.UNIT_EDITOR, operators["cm-xz"])


@pytest.fixture
def terrain(regulator):
    return build_terrain(regulator)


@pytest.fixture
def region(divisions, operators, broadcaster, regulator, terrain):
    """Two earth stations and nine cells (three sites) near Lhasa."""
    return build_region(regulator=regulator, operators=operators, broadcaster=broadcaster)
