import pytest

from xizang5g.core.choices import Role


@pytest.fixture
def operator(make_user, make_unit):
    return make_user("secops", Role.SECURITY_OPERATOR, make_unit("cac", "区党委网信办"))


@pytest.fixture
def rules(db):
    from xizang5g.security.services import sigma_rules_sync

    return sigma_rules_sync()


@pytest.fixture
def system(operator, make_unit):
    from xizang5g.security.services import system_create

    return system_create(
        code="ls-hospital",
        name="拉萨远程诊疗平台",
        owner_unit=make_unit("health", "区卫生健康委"),
        user=operator,
        mlps_level=3,
        filing_status="filed",
        holds_personal_data=True,
    )


@pytest.fixture(autouse=True)
def english_messages():
    """Assertions on messages read the English source text, whatever catalogues are compiled."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_correlation_windows():
    """Correlation windows live in the process; each test starts as a fresh process would."""
    from xizang5g.security.services.detection import correlation_forget

    correlation_forget()
    yield
    correlation_forget()
