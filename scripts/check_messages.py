"""After `make messages`: list msgids still untranslated (or fuzzy) in each catalogue."""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "src" / "xizang5g" / "locale"


def main() -> int:
    status = 0
    for po_path in sorted(LOCALE.glob("*/LC_MESSAGES/django.po")):
        catalogue = polib.pofile(str(po_path))
        missing = [
            e.msgid
            for e in catalogue
            if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)
        ]
        language = po_path.parts[-3]
        print(f"{language}: {len(catalogue)} messages, {len(missing)} untranslated or fuzzy")
        if missing and language == "zh_Hans":
            status = 1
            for msgid in missing[:50]:
                print(f"  - {msgid!r}")
    return status


if __name__ == "__main__":
    sys.exit(main())
