"""Check the layers of the platform with import-linter, from what the installed apps declare."""

import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xizang5g.core import registry

PACKAGE = "xizang5g"


def contracts() -> str:
    """The import-linter configuration (INI) of the installed platform apps."""
    by_layer: dict[str, list[str]] = {layer: [] for layer in registry.LAYERS}
    for app in registry.platform_apps():
        if app.name.startswith(f"{PACKAGE}."):  # test-only apps live outside the package
            by_layer[app.layer].append(app.name)
    layers = "\n".join("    " + " | ".join(sorted(names)) for names in by_layer.values() if names)
    project = "\n".join(f"    {name}" for names in by_layer.values() for name in sorted(names))
    return f"""[importlinter]
root_package = {PACKAGE}
include_external_packages = True

[importlinter:contract:layers]
name = Apps import only from the layers below their own; apps of one layer are independent
type = layers
layers =
{layers}

[importlinter:contract:radio]
name = The radio engine imports nothing of the project and nothing of Django
type = forbidden
source_modules =
    {PACKAGE}.radio
forbidden_modules =
{project}
    django
"""


class Command(BaseCommand):
    help = "Check the apps' layers (PlatformApp.layer) and radio's independence with import-linter."

    def add_arguments(self, parser):
        parser.add_argument("--show", action="store_true", help="print the contracts and stop")

    def handle(self, *args, show=False, **options):
        config = contracts()
        if show:
            self.stdout.write(config)
            return
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "contracts.ini"
            path.write_text(config, encoding="utf-8")
            linter = Path(sys.executable).with_name("lint-imports")
            result = subprocess.run([str(linter), "--no-cache", str(path)], check=False)
        if result.returncode:
            raise CommandError("import-linter found imports across the layers (see above)")
