"""The SM3 chain over the change log finds edited, deleted and inserted records."""

import pytest
from django.core.management import CommandError, call_command

from xizang5g.core.audit import acting_as
from xizang5g.core.models import ChangeLog
from xizang5g.security.chain import verify
from xizang5g.security.models import AuditSeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(make_unit):
    with acting_as(None):
        units = [make_unit(f"u{i}", f"单位{i}") for i in range(5)]
        units[0].short_name = "改名"
        units[0].save()
    return units


def test_intact_chain_verifies(history, capsys):
    report = verify()
    assert report.ok and report.links == ChangeLog.objects.count() == 6
    call_command("audit_verify")
    assert "Audit chain intact." in capsys.readouterr().out


def test_edited_row_is_found(history):
    target = ChangeLog.objects.order_by("id")[2]
    ChangeLog.objects.filter(pk=target.pk).update(after={**target.after, "name": "篡改"})
    report = verify()
    assert [(b.kind, b.changelog_id) for b in report.breaks] == [("edited", target.pk)]
    with pytest.raises(CommandError, match="1 problem"):
        call_command("audit_verify")


def test_deleted_row_is_found(history):
    target = ChangeLog.objects.order_by("id")[1]
    ChangeLog.objects.filter(pk=target.pk).delete()
    assert [(b.kind, b.changelog_id) for b in verify().breaks] == [("deleted", target.pk)]


def test_inserted_row_and_removed_seal_are_found(history):
    first = ChangeLog.objects.order_by("id").first()
    forged = ChangeLog.objects.create(
        content_type=first.content_type, object_id="999", object_repr="x", action="create", after={}
    )
    AuditSeal.objects.filter(changelog_id=forged.pk).delete()  # the forger removes its seal …
    kinds = {(b.kind, b.changelog_id) for b in verify().breaks}
    assert ("inserted", forged.pk) in kinds
    assert any(kind == "truncated" for kind, _ in kinds)


def test_deleting_a_seal_in_the_middle_is_a_gap(history):
    middle = AuditSeal.objects.order_by("sequence")[2]
    AuditSeal.objects.filter(pk=middle.pk).delete()
    kinds = {b.kind for b in verify().breaks}
    assert {"gap", "link", "inserted"} <= kinds


def test_every_change_gets_sealed(history):
    assert set(AuditSeal.objects.values_list("changelog_id", flat=True)) == set(
        ChangeLog.objects.values_list("id", flat=True)
    )
    from xizang5g.security.models import FieldMapping

    with acting_as(None):
        mapping = FieldMapping.objects.create(sigma_field="SrcAddr", event_field="src_ip")
        mapping.delete()
    assert ChangeLog.objects.filter(action="delete").count() == 1
    assert verify().ok
