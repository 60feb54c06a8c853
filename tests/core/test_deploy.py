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
