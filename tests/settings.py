"""The test run's settings: the platform's, plus the test-only app built as docs/adding-an-app.md
describes (one line, as for any new app)."""

from xizang5g.settings import *  # noqa: F403

INSTALLED_APPS += ["tests.testapp"]  # noqa: F405
