"""Production settings pass Django's deployment checks (`xizang5g check --deploy`)."""

import os
import secrets
import subprocess
import sys


def _run_check(extra_env: dict) -> subprocess.CompletedProcess:
    # A production process has none of the test run's settings (the browser fixtures, for
    # instance, allow sync ORM calls next to Playwright's event loop).
    leaked = (
        "XZ5G_DEBUG",
        "XZ5G_DEMO",
        "XZ5G_HTTPS",
        "XZ5G_SSL_REDIRECT",
        "SECRET_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "XZ5G_SM4_KEYS",
        "XZ5G_SM4_KEY_FILE",
        "XZ5G_IOT_BROKER_HOOK_TOKEN",
    )
    env = {k: v for k, v in os.environ.items() if k not in leaked}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "xizang5g", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_deploy_checks():
    result = _run_check(
        {
            "XZ5G_DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "XZ5G_ALLOWED_HOSTS": "5g.xizang.example",
            "XZ5G_SM4_KEYS": "k2026:" + secrets.token_hex(16),
            "XZ5G_IOT_BROKER_HOOK_TOKEN": secrets.token_urlsafe(32),
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret_key():
    result = _run_check({"XZ5G_DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_needs_an_sm4_key_ring():
    result = _run_check(
        {
            "XZ5G_DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "XZ5G_ALLOWED_HOSTS": "5g.xizang.example",
        }
    )
    assert result.returncode != 0
    assert "xizang5g.E001" in result.stdout + result.stderr


def test_production_needs_the_broker_hook_token():
    result = _run_check(
        {
            "XZ5G_DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "XZ5G_ALLOWED_HOSTS": "5g.xizang.example",
            "XZ5G_SM4_KEYS": "k2026:" + secrets.token_hex(16),
        }
    )
    assert result.returncode != 0
    assert "xizang5g.E101" in result.stdout + result.stderr


def test_the_demo_generates_its_key_once_under_var(tmp_path):
    env = {"XZ5G_VAR_DIR": str(tmp_path), "XZ5G_DEMO": "1"}
    first = _run_check(env)
    key_file = tmp_path / "secret_key"
    key = key_file.read_text()
    assert len(key) >= 50 and oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = _run_check(env)
    assert key_file.read_text() == key  # kept: sessions and device secrets survive a restart
    # The demo is a plain-HTTP single machine, so the deploy checks do warn about it.
    assert "security.W012" in first.stdout + first.stderr
    assert second.returncode == first.returncode


def test_production_without_a_key_refuses_even_with_a_key_file_left_in_var(tmp_path):
    (tmp_path / "secret_key").write_text("left-over-demo-key-" * 4)
    result = _run_check({"XZ5G_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
