"""Shared fixtures: units, users of each role, the admin divisions."""

import pytest

from xizang5g.core.choices import Role, UnitKind
from xizang5g.core.models import Unit
from xizang5g.core.services import user_create

pytest_plugins = ["tests.browser"]

TEST_PASSWORD = "Xz5g-Test-Passw0rd!"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (failure counters, throttles)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Service and model messages in English (their source text) so tests can match them; pages
    still pick their language per request (zh-hans by default)."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def divisions(db):
    from xizang5g.core.services import divisions_load

    divisions_load()


@pytest.fixture
def make_unit(db):
    def make(code: str, name: str | None = None, kind: str = UnitKind.DEPARTMENT) -> Unit:
        unit, _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name or code, "kind": kind}
        )
        return unit

    return make


@pytest.fixture
def make_user(db):
    def make(username: str, role: str = Role.VIEWER, unit: Unit | None = None):
        return user_create(username=username, password=TEST_PASSWORD, role=role, unit=unit)

    return make


@pytest.fixture
def plan_admin(make_user, make_unit):
    return make_user(
        "planoffice", Role.PLAN_ADMIN, make_unit("econ-it", "西藏自治区经济和信息化厅")
    )


@pytest.fixture
def viewer(make_user):
    return make_user("leader", Role.VIEWER)


@pytest.fixture
def private_imports(tmp_path, monkeypatch):
    """The storage of uploads waiting for a background import, in a temporary folder (the
    model field resolves its storage once, when the model class is built)."""
    from django.core.files.storage import FileSystemStorage

    from xizang5g.core.models import ImportJob

    location = tmp_path / "imports"
    field = ImportJob._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=location))
    return location
