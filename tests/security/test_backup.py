"""Backup and restore: an encrypted archive restores into an empty database with identical content."""

import pytest
from django.core.management import call_command

from xizang5g.security import simulate
from xizang5g.security.backup import BackupError, read_backup
from xizang5g.security.services import incident_create, syslog_ingest


def _dump() -> list:
    """Every row of every table, microseconds kept (the Python serializer, no JSON rounding)."""
    from django.apps import apps
    from django.core import serializers

    rows = []
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "django_tasks_database") or model._meta.proxy:
            continue
        rows += serializers.serialize("python", model._base_manager.order_by("pk"))
    return sorted(rows, key=lambda o: (o["model"], str(o["pk"])))


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_empty_database(rules, operator, system, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "reports").mkdir(parents=True)
    (tmp_path / "media" / "reports" / "密评报告.pdf").write_bytes(b"%PDF-1.7 test report \x00\x01")
    syslog_ingest(lines=simulate.attack_lines()[:25], peer="10.0.0.5:514")
    incident_create(
        title="暴力破解",
        category="attack",
        level="IV",
        responsible_unit=system.owner_unit,
        user=operator,
    )
    before = _dump()
    archive = tmp_path / "b.xzbak"
    call_command("backup", output=str(archive))
    blob = archive.read_bytes()
    assert b"secops" not in blob and "拉萨远程诊疗平台".encode() not in blob  # encrypted

    call_command("flush", interactive=False)
    (tmp_path / "media" / "reports" / "密评报告.pdf").unlink()
    assert _dump() != before
    call_command("restore", str(archive))
    after = _dump()
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert old == new, {
            k: (v, new["fields"].get(k))
            for k, v in old["fields"].items()
            if new["fields"].get(k) != v
        }
    assert (
        tmp_path / "media" / "reports" / "密评报告.pdf"
    ).read_bytes() == b"%PDF-1.7 test report \x00\x01"
    from xizang5g.security.chain import verify

    report = verify()
    assert report.ok, [str(b) for b in report.breaks][:5]  # the restored change log still verifies


@pytest.mark.django_db
def test_tampered_or_foreign_archive_is_refused(rules, tmp_path):
    archive = tmp_path / "b.xzbak"
    call_command("backup", output=str(archive))
    _header, members = read_backup(archive)
    assert "db.json" in members
    data = bytearray(archive.read_bytes())
    data[-40] ^= 0x01
    (tmp_path / "bad.xzbak").write_bytes(bytes(data))
    with pytest.raises(BackupError, match="authentication"):
        read_backup(tmp_path / "bad.xzbak")
    (tmp_path / "not.xzbak").write_bytes(b"PK\x03\x04 zip")
    with pytest.raises(BackupError, match="bad magic"):
        read_backup(tmp_path / "not.xzbak")


@pytest.mark.django_db
def test_restore_refuses_a_database_with_data(rules, tmp_path):
    archive = tmp_path / "b.xzbak"
    call_command("backup", output=str(archive))
    with pytest.raises(Exception, match="not empty"):
        call_command("restore", str(archive))
