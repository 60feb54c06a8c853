"""After `make messages`: list msgids still untranslated (or fuzzy) in each catalogue."""

import sys
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "xizang5g"
# The shared catalogue and those of apps that keep their own (src/xizang5g/<app>/locale).
CATALOGUES = ("locale/*/LC_MESSAGES/django.po", "*/locale/*/LC_MESSAGES/django.po")


def main() -> int:
    status = 0
    for po_path in sorted(p for pattern in CATALOGUES for p in PACKAGE.glob(pattern)):
        catalogue = polib.pofile(str(po_path))
        missing = [
            e.msgid
            for e in catalogue
            if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)
        ]
        language = po_path.parts[-3]
        print(
            f"{po_path.relative_to(PACKAGE)}: {len(catalogue)} messages, {len(missing)} untranslated or fuzzy"
        )
        if missing and language == "zh_Hans":
            status = 1
            for msgid in missing[:50]:
                print(f"  - {msgid!r}")
    return status


if __name__ == "__main__":
    sys.exit(main())
