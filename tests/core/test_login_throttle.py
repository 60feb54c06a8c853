"""Login throttling (core.throttle): sprays slow down, nobody locks an account for long, and the
client address behind the proxy is read only from trusted proxies."""

import ipaddress
from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import TEST_PASSWORD
from xizang5g.core.choices import Role
from xizang5g.core.clients import client_ip
from xizang5g.core.models import LoginFailure
from xizang5g.core.throttle import ACCOUNT, ACCOUNT_AND_CLIENT, CLIENT, login_block

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
BEHIND_PROXY = override_settings(XZ5G_TRUSTED_PROXIES=[ipaddress.ip_network("10.0.0.0/24")])


def _log_in(client, username, password, *, peer="203.0.113.7", forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _logged_in(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" not in response["Location"]


def test_a_spray_across_20_users_from_one_client_is_blocked(client, make_user):
    for n in range(20):
        make_user(f"user{n:02d}")
    answers = [_log_in(client, f"user{n:02d}", "Summer2026!").status_code for n in range(20)]
    assert answers == [200] * 20  # each a normal "wrong password" form
    # The 21st attempt from that client is refused, even with a right password.
    refused = _log_in(client, "user00", TEST_PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 14 * 60
    assert "登录失败次数过多" in refused.content.decode()
    assert login_block(username="anyone", ip="203.0.113.7").scope == CLIENT
    # Another client is not affected.
    assert _logged_in(_log_in(client, "user01", TEST_PASSWORD, peer="198.51.100.9"))


@pytest.mark.parametrize(
    "attackers", [["198.51.100.66"] * 5, [f"198.51.100.{n}" for n in range(5)]]
)
def test_failures_on_admin_from_other_clients_do_not_keep_the_real_admin_out(
    client, make_user, attackers
):
    make_user("admin", Role.PLAN_ADMIN)
    with BEHIND_PROXY:
        for attacker in attackers:
            response = _log_in(client, "admin", "Passw0rd!!", peer=PROXY, forwarded=attacker)
            assert response.status_code == 200
        if len(set(attackers)) == 1:  # one client: it alone is stopped, even with the password
            refused = _log_in(client, "admin", TEST_PASSWORD, peer=PROXY, forwarded=attackers[0])
            assert refused.status_code == 429
            assert login_block(username="admin", ip=attackers[0]).scope == ACCOUNT_AND_CLIENT
        # The real admin, behind the same proxy, from their own client.
        assert _logged_in(
            _log_in(client, "admin", TEST_PASSWORD, peer=PROXY, forwarded="192.0.2.5")
        )


def test_an_untrusted_peer_cannot_forge_x_forwarded_for(client, make_user):
    make_user("leader")
    with BEHIND_PROXY:
        for n in range(5):
            _log_in(
                client, "leader", "wrong-Passw0rd", peer="203.0.113.50", forwarded=f"192.0.2.{n}"
            )
        # Every attempt counted against the real peer, whatever it claimed.
        assert set(LoginFailure.objects.values_list("client_ip", flat=True)) == {"203.0.113.50"}
        assert (
            _log_in(client, "leader", TEST_PASSWORD, peer="203.0.113.50", forwarded="192.0.2.99")
        ).status_code == 429


def test_an_account_under_attack_from_many_clients_backs_off_exponentially(client, make_user):
    make_user("leader")
    for n in range(10):
        _log_in(client, "leader", "wrong-Passw0rd", peer=f"198.51.100.{n}")
    block = login_block(username="leader", ip="192.0.2.1")
    assert block.scope == ACCOUNT
    assert 1 <= block.seconds_left <= 2  # the first step: 2 seconds after the last failure
    # The back-off grows with each failure but never beyond the cap (5 minutes).
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        LoginFailure(username="leader", client_ip=f"198.51.100.{n}", at=now) for n in range(20, 40)
    )
    block = login_block(username="leader", ip="192.0.2.1", now=now)
    assert block.until - now == timedelta(seconds=300)
    # Once it has passed, the real user gets in (and a refused attempt never extended it).
    LoginFailure.objects.update(at=now - timedelta(seconds=301))
    assert login_block(username="leader", ip="192.0.2.1") is None
    assert _logged_in(_log_in(client, "leader", TEST_PASSWORD, peer="192.0.2.1"))


def test_refused_attempts_are_not_counted_and_success_clears_that_clients_failures(
    client, make_user
):
    make_user("leader")
    for _ in range(5):
        _log_in(client, "leader", "wrong-Passw0rd", peer="203.0.113.8")
    for _ in range(3):
        assert _log_in(client, "leader", "wrong-Passw0rd", peer="203.0.113.8").status_code == 429
    assert LoginFailure.objects.count() == 5
    # The window passes; a success then clears what that client had left.
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert _logged_in(_log_in(client, "leader", TEST_PASSWORD, peer="203.0.113.8"))
    assert not LoginFailure.objects.filter(client_ip="203.0.113.8").exists()


def test_the_admin_site_login_is_throttled_too(client, make_user):
    make_user("leader")
    for _ in range(5):
        _log_in(client, "leader", "wrong-Passw0rd", peer="203.0.113.9")
    response = client.post(
        reverse("admin:login"),
        {"username": "leader", "password": TEST_PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.7", None, "203.0.113.7"),
        ("203.0.113.7", "192.0.2.1", "203.0.113.7"),  # untrusted peer: header ignored
        (PROXY, "192.0.2.1", "192.0.2.1"),
        (PROXY, "6.6.6.6, 192.0.2.1", "192.0.2.1"),  # the client's own claim is left of ours
        (PROXY, "192.0.2.1, 10.0.0.3", "192.0.2.1"),  # a second trusted proxy hop
        (PROXY, "not-an-ip", PROXY),
        (PROXY, None, PROXY),
        (PROXY, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_trusts_x_forwarded_for_only_from_proxies(peer, forwarded, expected):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    with BEHIND_PROXY:
        assert client_ip(RequestFactory().get("/", **extra)) == expected
