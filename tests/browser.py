"""Browser fixtures (a pytest plugin for the whole suite): Playwright driving Debian's headless
Chromium against the platform served as in production; one browser per session.

The live server is uvicorn running the project's ASGI application in a thread of the test
process (so it shares the test database, like pytest-django's live_server), over HTTPS with a
throw-away certificate, with the production settings: DEBUG off, static files collected once per
session into a temporary STATIC_ROOT (hashed, compressed, served by WhiteNoise), secure cookies,
HSTS and the Content-Security-Policy. Every page a test opens is watched for CSP violations.

When Chromium or Playwright is missing the tests skip and say why (`make test` installs
Chromium when it can). Screenshots go to docs/screenshots/.
"""

import datetime as dt
import gc
import ipaddress
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import connections
from django.test.utils import modify_settings, override_settings

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=zh-CN",
]
SERVER_START_SECONDS = 30


def _chromium_path() -> str | None:
    for candidate in (
        os.environ.get("XZ5G_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session", autouse=True)
def collected_static(tmp_path_factory):
    """`collectstatic` once per session into a temporary STATIC_ROOT, as a deployment does:
    every page of every test renders through the manifest (a missing file fails the test)."""
    root = tmp_path_factory.mktemp("static")
    override = override_settings(STATIC_ROOT=root)
    override.enable()
    call_command("collectstatic", interactive=False, verbosity=0)
    yield root
    override.disable()


def _self_signed_certificate(directory: Path, host: str) -> tuple[Path, Path]:
    """A certificate for `host`, valid for a day: enough for one test session's HTTPS."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class LiveServer:
    """uvicorn serving the ASGI application in a thread; the API of pytest-django's LiveServer.

    Django runs each request's synchronous code in a thread of its own. Like Django's own live
    server, requests share the test's connection to an in-memory SQLite database (a new
    connection would see an empty database) and close any other connection they opened, so
    PostgreSQL can drop the test database at the end.
    """

    host = "127.0.0.1"

    def __init__(self, certificate_dir: Path) -> None:
        self.shared_connections = {
            conn.alias: conn
            for conn in connections.all()
            if conn.vendor == "sqlite" and conn.is_in_memory_db()
        }
        self.certificate = _self_signed_certificate(certificate_dir, self.host)
        # Enabled and disabled around each test by pytest-django's `_live_server_helper`.
        self._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": self.host})
        self.port = 0
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def _use_shared_connections(self, sender, **kwargs) -> None:
        for alias, conn in self.shared_connections.items():
            connections[alias] = conn

    def _close_own_connections(self, sender, **kwargs) -> None:
        if threading.current_thread() is threading.main_thread():
            return  # Django's test client: the test's own connection
        for conn in connections.all(initialized_only=True):
            if conn.alias not in self.shared_connections:
                conn.close()

    def start(self) -> None:
        from xizang5g.asgi import application

        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, 0))
        self.port = listener.getsockname()[1]
        cert_file, key_file = self.certificate
        config = uvicorn.Config(
            application,
            lifespan="off",
            log_level="warning",
            access_log=False,
            proxy_headers=False,  # the platform's own X-Forwarded-For rule is what is tested
            ssl_certfile=str(cert_file),
            ssl_keyfile=str(key_file),
        )
        self.server = uvicorn.Server(config)
        for conn in self.shared_connections.values():
            conn.inc_thread_sharing()
        request_started.connect(self._use_shared_connections, dispatch_uid="xz5g_live_server")
        request_finished.connect(self._close_own_connections, dispatch_uid="xz5g_live_server")
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [listener]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("uvicorn did not start (see the log above)")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=SERVER_START_SECONDS)
        request_started.disconnect(dispatch_uid="xz5g_live_server")
        request_finished.disconnect(dispatch_uid="xz5g_live_server")
        for conn in self.shared_connections.values():
            conn.dec_thread_sharing()
        # A request the browser abandoned (a page closed mid-poll) never reaches
        # request_finished; its finished thread's connection goes with the garbage, before
        # PostgreSQL is asked to drop the test database.
        gc.collect()

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def __str__(self) -> str:
        return self.url

    def __add__(self, other: str) -> str:
        return f"{self}{other}"

    def __repr__(self) -> str:
        return f"<LiveServer (uvicorn) listening at {self.url}>"


@pytest.fixture(scope="session")
def live_server(collected_static, tmp_path_factory):
    """Replaces pytest-django's live_server (same name, so its helper still gives each test a
    transactional database and the ALLOWED_HOSTS change)."""
    server = LiveServer(tmp_path_factory.mktemp("tls"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        reason = (
            "Debian's chromium is not installed (make test installs it when run as root with apt)"
        )
        print(f"\nSKIP browser tests: {reason}")
        pytest.skip(reason)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dev dependency
        print(f"\nSKIP browser tests: playwright is not importable ({exc})")
        pytest.skip(f"playwright is not importable: {exc}")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


def is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text or "Content-Security-Policy" in text


@pytest.fixture
def csp_violations():
    """Console messages in which Chromium reports a Content-Security-Policy violation."""
    return []


@pytest.fixture
def page(browser, live_server, csp_violations):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1440, "height": 900},
        locale="zh-CN",
        ignore_https_errors=True,  # the session's own certificate
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.on(
        "console",
        lambda message: (
            csp_violations.append(f"{tab.url}: {message.text}")
            if is_csp_violation(message.text)
            else None
        ),
    )
    yield tab
    context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


def wait_until(condition, *, timeout_s: float = 15.0, interval_s: float = 0.1) -> None:
    """Poll `condition()` from Python until it is true. Unlike `page.wait_for_function` with a
    string, this evaluates no JavaScript source in the page, which the CSP (no eval) forbids."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition still false after {timeout_s} s")
        time.sleep(interval_s)


def expect(locator):
    """Playwright's `expect`, imported when used (Playwright is optional: tests skip without it)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


@pytest.fixture
def login(page):
    """Log in through the real login form."""
    from tests.conftest import TEST_PASSWORD

    def do_login(username: str, password: str = TEST_PASSWORD):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return do_login


@pytest.fixture
def screenshot(page):
    def take(name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=full_page)
        return target

    return take
