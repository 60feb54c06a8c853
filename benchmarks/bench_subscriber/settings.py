"""The platform's settings with the benchmark's trivial subscriber installed (one line)."""

from xizang5g.settings import *  # noqa: F403

INSTALLED_APPS += ["bench_subscriber"]  # noqa: F405
