"""Passwords: change (old + new, the project's validators), reset by e-mail, and expiry
(等保 2.0 level 3, GB/T 22239-2019 8.1.4.1: passwords changed periodically)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import TEST_PASSWORD
from xizang5g.core.models import User
from xizang5g.core.services import api_token_create

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zhufeng-8848-Snow!"


def _expire(user, days=91):
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - timedelta(days=days)
    )


def test_change_password_needs_the_old_one_and_follows_the_validators(client, viewer):
    client.force_login(viewer)
    url = reverse("password_change")
    page = client.get(url)
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    wrong_old = client.post(
        url, {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert wrong_old.status_code == 200 and wrong_old.context["form"].errors["old_password"]
    too_simple = client.post(
        url,
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "abcdefghij",
            "new_password2": "abcdefghij",
        },
    )
    assert "password_too_simple" in {
        e.code for e in too_simple.context["form"].errors.as_data()["new_password2"]
    }
    before = User.objects.get(pk=viewer.pk).password_changed_at
    done = client.post(
        url,
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert done.status_code == 302 and done["Location"] == reverse("password_change_done")
    viewer.refresh_from_db()
    assert viewer.password_changed_at > before
    assert viewer.check_password(NEW_PASSWORD)
    assert client.get(reverse("core:alert_list")).status_code == 200  # still logged in


def test_the_user_menu_links_to_change_password(client, viewer):
    client.force_login(viewer)
    page = client.get(reverse("core:alert_list")).content.decode()
    assert f'href="{reverse("password_change")}"' in page


def test_reset_by_e_mail_sets_a_new_password_and_the_changed_at(client, make_user):
    user = make_user("tsering")
    user.email = "tsering@example.gov.cn"
    user.save()
    _expire(user, days=400)
    response = client.post(reverse("password_reset"), {"email": "TSERING@example.gov.cn"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["tsering@example.gov.cn"]
    assert "tsering" in message.body and "重置" in message.subject
    link = re.search(r"https?://testserver(/accounts/password/reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    confirm_url = form_page.redirect_chain[-1][0]
    done = client.post(confirm_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1)
    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, viewer):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.gov.cn"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_an_expired_password_leads_every_page_to_the_change_page(client, viewer):
    _expire(viewer)
    client.force_login(viewer)
    for url in (reverse("home"), reverse("core:alert_list"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    htmx = client.get(reverse("core:alert_list"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert 'id="password-expired"' in page and "90" in page
    client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert client.get(reverse("core:alert_list")).status_code == 200


def test_a_password_never_recorded_as_changed_has_expired(client, viewer):
    User.objects.filter(pk=viewer.pk).update(password_changed_at=None)
    client.force_login(viewer)
    assert client.get(reverse("core:alert_list"))["Location"] == reverse("password_change")


def test_expiry_blocks_session_api_use_but_not_tokens(client, viewer):
    token = api_token_create(user=viewer, name="script")
    _expire(viewer)
    client.force_login(viewer)
    session = client.get("/api/v1/core/alerts")
    assert session.status_code == 403
    assert reverse("password_change") in session.json()["detail"]
    client.logout()
    by_token = client.get("/api/v1/core/alerts", headers={"Authorization": f"Bearer {token}"})
    assert by_token.status_code == 200


def test_expiry_can_be_turned_off(client, viewer):
    _expire(viewer, days=3650)
    client.force_login(viewer)
    with override_settings(XZ5G_PASSWORD_MAX_AGE_DAYS=0):
        assert client.get(reverse("core:alert_list")).status_code == 200


def test_rehashing_on_log_in_is_not_a_password_change(viewer, settings):
    _expire(viewer, days=10)
    changed_at = User.objects.get(pk=viewer.pk).password_changed_at
    # A stronger hasher configuration makes Django re-hash the same password on log-in.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    assert authenticate(username=viewer.username, password=TEST_PASSWORD) is not None
    stored = User.objects.get(pk=viewer.pk)
    assert stored.password.startswith("pbkdf2_sha256$")
    assert stored.password_changed_at == changed_at
