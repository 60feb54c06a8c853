from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.concurrency import require_database_server, run_concurrently
from xizang5g.core.models import ChangeLog
from xizang5g.plan import services
from xizang5g.plan.choices import ProjectState
from xizang5g.plan.models import Project, ProjectTransition


def _walk_to_trial(project, user=None, approver=None):
    """The lead unit's `user` runs the project; the plan office (`approver`) approves it."""
    services.project_transition(
        project=project, to_state="approved", user=approver, effective_on=date(2020, 4, 1)
    )
    services.milestone_create(
        project=project, user=user, title="专网开通", due_date=date(2020, 6, 30)
    )
    services.project_transition(
        project=project, to_state="building", user=user, effective_on=date(2020, 5, 1)
    )
    services.report_save(
        project=project,
        user=user,
        period=date(2020, 5, 1),
        summary="完成选址",
        submit=True,
        submitted_on=date(2020, 6, 5),
    )
    services.project_transition(
        project=project, to_state="trial", user=user, effective_on=date(2020, 9, 1)
    )
    return project


def test_project_create_records_declaration_and_change_log(make_project, health_editor):
    project = make_project(user=health_editor, name="远程会诊")
    assert project.code == "P2020-001"
    assert project.state == ProjectState.DECLARED
    assert project.transitions.get().to_state == ProjectState.DECLARED
    entry = ChangeLog.objects.get(
        content_type=ContentType.objects.get_for_model(Project),
        object_id=str(project.pk),
        action="create",
    )
    assert entry.user == health_editor
    assert entry.after["name"] == "远程会诊"


def test_full_lifecycle_with_rules(make_project, health_editor, plan_admin):
    project = _walk_to_trial(make_project(user=health_editor), health_editor, plan_admin)
    # acceptance needs every milestone accepted
    with pytest.raises(ValidationError, match="专网开通"):
        services.project_transition(project=project, to_state="accepted", user=plan_admin)
    milestone = project.milestones.get()
    services.milestone_complete(
        milestone=milestone, user=health_editor, completed_on=date(2020, 6, 20)
    )
    services.milestone_accept(milestone=milestone, user=plan_admin, accepted_on=date(2020, 7, 1))
    services.project_transition(
        project=project, to_state="accepted", user=plan_admin, effective_on=date(2021, 3, 1)
    )
    # a typical case needs KPI actuals
    kpi = services.kpi_save(
        project=project, user=health_editor, name="月会诊量", measure_unit="例", target=100
    )
    with pytest.raises(ValidationError, match="月会诊量"):
        services.project_transition(project=project, to_state="case", user=plan_admin)
    services.kpi_save(project=project, user=health_editor, kpi=kpi, actual=120)
    services.project_transition(
        project=project, to_state="case", user=plan_admin, effective_on=date(2021, 6, 1)
    )
    project.refresh_from_db()
    assert project.state == ProjectState.CASE
    assert list(
        ProjectTransition.objects.filter(project=project).values_list("to_state", flat=True)
    ) == [
        "declared",
        "approved",
        "building",
        "trial",
        "accepted",
        "case",
    ]


def test_no_skipping_states(make_project):
    project = make_project()
    with pytest.raises(ValidationError, match="cannot move"):
        services.project_transition(project=project, to_state="accepted", user=None)
    with pytest.raises(ValidationError):
        services.project_transition(project=project, to_state="building", user=None)


def test_building_needs_a_milestone_and_termination_a_reason(make_project):
    project = make_project()
    services.project_transition(
        project=project, to_state="approved", user=None, effective_on=date(2020, 4, 1)
    )
    with pytest.raises(ValidationError, match="milestone"):
        services.project_transition(project=project, to_state="building", user=None)
    with pytest.raises(ValidationError, match="reason"):
        services.project_transition(project=project, to_state="terminated", user=None)
    services.project_transition(
        project=project, to_state="terminated", user=None, note="资金未落实"
    )
    project.refresh_from_db()
    assert project.termination_reason == "资金未落实"


def test_effective_date_cannot_go_back_or_forward(make_project):
    project = make_project(declared_on=date(2020, 3, 1))
    with pytest.raises(ValidationError, match="before the current state"):
        services.project_transition(
            project=project, to_state="approved", user=None, effective_on=date(2020, 1, 1)
        )
    with pytest.raises(ValidationError, match="future"):
        services.project_transition(
            project=project, to_state="approved", user=None, effective_on=date(2999, 1, 1)
        )


def test_only_the_plan_office_approves_accepts_and_promotes(
    make_project, health_editor, plan_admin
):
    project = make_project(user=health_editor)
    with pytest.raises(PermissionDenied):  # 立项 is the plan office's, not the lead unit's
        services.project_transition(project=project, to_state="approved", user=health_editor)
    project = _walk_to_trial(project, health_editor, plan_admin)
    milestone = project.milestones.get()
    services.milestone_complete(milestone=milestone, user=health_editor)
    with pytest.raises(PermissionDenied):  # 验收 of a milestone too
        services.milestone_accept(milestone=milestone, user=health_editor)
    # the lead unit still terminates its own project
    services.project_transition(
        project=project, to_state="terminated", user=health_editor, note="资金未落实"
    )
    assert project.state == ProjectState.TERMINATED


def test_unit_editor_cannot_touch_another_units_project(make_project, other_editor, viewer):
    project = make_project()
    with pytest.raises(Http404):  # another unit's project does not exist for it
        services.project_update(project=project, user=other_editor, name="改名")
    with pytest.raises(PermissionDenied):
        services.milestone_create(
            project=project, user=viewer, title="x", due_date=date(2021, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        make_project(user=other_editor)  # registering for the health unit


def test_county_must_be_in_prefecture(make_project):
    from xizang5g.core.models import AdminDivision

    with pytest.raises(ValidationError, match="county"):
        make_project(prefecture=540100, county=AdminDivision.objects.get(adcode=540202))


def test_submitted_report_is_read_only_and_future_month_rejected(make_project):
    project = make_project()
    services.report_save(
        project=project, user=None, period=date(2020, 5, 1), summary="a", submit=True
    )
    with pytest.raises(ValidationError, match="already submitted"):
        services.report_save(project=project, user=None, period=date(2020, 5, 9), summary="b")
    with pytest.raises(ValidationError, match="future"):
        services.report_save(project=project, user=None, period=date(2999, 1, 1), summary="c")


def test_attachment_type_and_hash(make_project, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    project = make_project()
    report = services.report_save(project=project, user=None, period=date(2020, 5, 1), summary="a")
    attachment = services.attachment_add(
        report=report,
        user=None,
        upload=SimpleUploadedFile("验收照片.png", b"\x89PNG data"),
    )
    assert attachment.sha256 == __import__("hashlib").sha256(b"\x89PNG data").hexdigest()
    with pytest.raises(ValidationError, match="not allowed"):
        services.attachment_add(report=report, user=None, upload=SimpleUploadedFile("x.exe", b"MZ"))


@pytest.mark.django_db(transaction=True)
def test_projects_registered_at_the_same_moment_get_consecutive_codes(make_project):
    require_database_server()
    codes = run_concurrently(lambda: make_project().code, threads=4, each=5)
    assert sorted(codes) == [f"P2020-{n:03d}" for n in range(1, 21)]


def test_generated_codes_pass_over_a_code_given_explicitly(make_project):
    assert make_project(code="P2020-002").code == "P2020-002"
    assert [make_project().code for _ in range(2)] == ["P2020-001", "P2020-003"]
