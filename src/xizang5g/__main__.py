"""The `xizang5g` command: Django's manage.py for this project."""

import os
import sys

from django.core.management import execute_from_command_line

# These commands run the demo: a single machine on plain HTTP with its keys under var/.
DEMO_COMMANDS = {"demo_setup", "demo_serve"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xizang5g.settings")
    argv = list(sys.argv)
    if len(argv) >= 2 and argv[1] in DEMO_COMMANDS:
        os.environ.setdefault("XZ5G_DEMO", "1")  # read by the settings, inherited by children

    # `xizang5g plan load FILE` reads better than `xizang5g plan_load FILE`.
    if len(argv) >= 3 and argv[1] in {"plan", "audit"} and not argv[2].startswith("-"):
        argv[1:3] = [f"{argv[1]}_{argv[2]}"]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
