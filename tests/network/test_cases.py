"""Coordination cases: the whole workflow, permissions, what-ifs, rejection."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.concurrency import require_database_server, run_concurrently
from xizang5g.core import access
from xizang5g.network import selectors, services
from xizang5g.network.choices import CaseAction, CaseState


@pytest.fixture
def offender(region):
    return next(c for c in region["cells"] if c.code == "S0-2")


@pytest.mark.django_db
def test_case_walks_the_whole_workflow(region, regulator, ct_editor, offender):
    es = region["stations"][0]
    case = services.case_open(
        user=ct_editor, earth_station=es, cells=[offender], description="新建3.5G小区"
    )
    assert case.state == CaseState.APPLIED and case.origin == "operator" and case.deadline
    with pytest.raises(PermissionDenied):
        services.case_advance(user=ct_editor, case=case)
    services.case_advance(user=regulator, case=case)  # 申请 → 计算: the calculation runs
    assert case.state == CaseState.COMPUTING and case.study.status == "done"
    assert not case.study.summary["passes"]
    services.case_advance(user=regulator, case=case)  # 计算 → 协调中
    with pytest.raises(ValidationError):
        services.case_advance(user=regulator, case=case)  # no accepted mitigation yet
    weak = services.case_propose_mitigation(
        user=ct_editor, case=case, mitigation={"kind": "power_reduction", "reduction_db": 1}
    )
    assert not weak.summary["passes"]
    with pytest.raises(ValidationError):
        services.case_accept_mitigation(user=regulator, case=case)
    good = services.case_propose_mitigation(
        user=ct_editor, case=case, mitigation={"kind": "lnb_filter", "rejection_db": 30}
    )
    assert (
        good.summary["passes"]
        and good.parent_id == case.study_id
        and good.mitigation["earth_station_ids"] == [es.pk]
    )
    services.case_accept_mitigation(user=regulator, case=case)
    services.case_advance(user=regulator, case=case)  # → 措施实施
    services.case_advance(user=ct_editor, case=case, note="滤波器已安装")  # operator reports → 复核
    assert case.state == CaseState.REVIEWING
    with pytest.raises(PermissionDenied):
        services.case_advance(user=ct_editor, case=case)
    services.case_advance(user=regulator, case=case)  # → 结案
    assert case.state == CaseState.CLOSED and case.closed_at and case.deadline is None
    states = [e.to_state for e in case.events.filter(action=CaseAction.ADVANCED)]
    assert states == ["computing", "coordinating", "implementing", "reviewing", "closed"]
    assert case.events.filter(action=CaseAction.WHATIF).count() == 2
    with pytest.raises(ValidationError):
        services.case_advance(user=regulator, case=case)


@pytest.mark.django_db
def test_operator_opens_cases_only_for_its_own_cells(region, cm_editor, offender):
    with pytest.raises(PermissionDenied):
        services.case_open(user=cm_editor, earth_station=region["stations"][0], cells=[offender])
    mixed = [offender, next(c for c in region["cells"] if c.operator.code == "cm-xz")]
    with pytest.raises(ValidationError):
        services.case_open(user=cm_editor, earth_station=region["stations"][0], cells=mixed)


@pytest.mark.django_db
def test_regulator_rejects_with_a_reason(region, regulator, offender):
    case = services.case_open(user=regulator, earth_station=region["stations"][0], cells=[offender])
    with pytest.raises(ValidationError):
        services.case_reject(user=regulator, case=case, reason=" ")
    services.case_reject(user=regulator, case=case, reason="资料不全")
    assert case.state == CaseState.REJECTED and case.events.last().note == "资料不全"


@pytest.mark.django_db
def test_case_visibility(region, regulator, ct_editor, cm_editor, offender):
    case = services.case_open(user=ct_editor, earth_station=region["stations"][0], cells=[offender])
    assert list(selectors.case_list(user=ct_editor)) == [case]
    assert list(selectors.case_list(user=cm_editor)) == []
    assert access.can(regulator, access.VIEW, case)


@pytest.mark.django_db(transaction=True)
def test_cases_opened_at_the_same_moment_get_consecutive_numbers(region, regulator, offender):
    require_database_server()
    station = region["stations"][0]
    year = timezone.localdate().year
    numbers = run_concurrently(
        lambda: services.case_open(user=regulator, earth_station=station, cells=[offender]).number,
        threads=5,
        each=4,
    )
    assert sorted(numbers) == [f"XZ-GR-{year}-{n:04d}" for n in range(1, 21)]


@pytest.mark.django_db
def test_a_refused_case_takes_no_number(region, regulator, ct_editor, offender):
    year = timezone.localdate().year
    first = services.case_open(
        user=regulator, earth_station=region["stations"][0], cells=[offender]
    )
    with pytest.raises(ValidationError):
        services.case_open(
            user=regulator, earth_station=region["stations"][0], cells=[offender], title="x" * 500
        )
    second = services.case_open(
        user=regulator, earth_station=region["stations"][0], cells=[offender]
    )
    assert (first.number, second.number) == (f"XZ-GR-{year}-0001", f"XZ-GR-{year}-0002")
