"""Every catalogue complete: exit 1 when a msgid lacks a translation, is fuzzy, or loses a placeholder.

Checks the shared catalogue (src/xizang5g/locale) and that of every app keeping its own
(src/xizang5g/<app>/locale), in every language (zh_Hans, bo, en). Run by `make messages` and,
through tests/core/test_catalogues.py, by the test suite — so a new string that is not
translated into all three languages fails the build, naming the catalogue and the msgids.

Placeholders: the %-directives of a msgid (%(name)s, %s, %.1f, %%) must all be in its
translation, no more and no fewer; `{name}` fields likewise; and a python-format translation
may not hold a stray `%` (Django would fail formatting it at run time).
"""

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "xizang5g"
# The shared catalogue and those of apps that keep their own (src/xizang5g/<app>/locale).
CATALOGUES = ("locale/*/LC_MESSAGES/django.po", "*/locale/*/LC_MESSAGES/django.po")
LANGUAGES = ("zh_Hans", "bo", "en")

# A printf-style directive as Python's %-operator reads it (mapping key, flags, width, precision).
PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"\{[A-Za-z_][A-Za-z_0-9]*\}")
SHOWN = 50  # msgids listed per catalogue and kind of problem


def placeholders(text: str) -> Counter:
    return Counter(PERCENT.findall(text)) + Counter(BRACE.findall(text))


def stray_percent(text: str) -> bool:
    return "%" in PERCENT.sub("", text)


@dataclass
class Report:
    path: Path
    messages: int = 0
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.untranslated or self.fuzzy or self.placeholders)


def _forms(entry: polib.POEntry, nplurals: int) -> list[tuple[str, str]]:
    """(translation, the source it must match) for each form of an entry."""
    if not entry.msgid_plural:
        return [(entry.msgstr, entry.msgid)]
    forms = []
    for index, text in sorted(entry.msgstr_plural.items()):
        # With one plural form (zh, bo) form 0 stands for every count: it follows msgid_plural.
        source = entry.msgid if index == 0 and nplurals > 1 else entry.msgid_plural
        forms.append((text, source))
    return forms


def _nplurals(catalogue: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2


def check_catalogue(path: Path) -> Report:
    catalogue = polib.pofile(str(path))
    nplurals = _nplurals(catalogue)
    report = Report(path)
    for entry in catalogue:
        if entry.obsolete:
            continue
        report.messages += 1
        forms = _forms(entry, nplurals)
        if not forms or any(not text for text, _ in forms):
            report.untranslated.append(entry.msgid)
            continue
        if "fuzzy" in entry.flags:
            report.fuzzy.append(entry.msgid)
        for text, source in forms:
            if placeholders(text) != placeholders(source) or (
                "python-format" in entry.flags and stray_percent(text)
            ):
                report.placeholders.append(f"{entry.msgid} → {text}")
                break
    return report


def catalogue_paths() -> list[Path]:
    return sorted({p for pattern in CATALOGUES for p in PACKAGE.glob(pattern)})


def missing_languages() -> list[str]:
    """Catalogue folders lacking one of the three languages."""
    roots = {p.parents[2] for p in catalogue_paths()}
    return [
        f"{(root / language).relative_to(PACKAGE)}/LC_MESSAGES/django.po is missing"
        for root in sorted(roots)
        for language in LANGUAGES
        if not (root / language / "LC_MESSAGES" / "django.po").exists()
    ]


def check_all() -> tuple[list[Report], list[str]]:
    return [check_catalogue(path) for path in catalogue_paths()], missing_languages()


def _shown(path: Path) -> Path:
    return path.relative_to(PACKAGE) if path.is_relative_to(PACKAGE) else path


def describe(reports: list[Report], missing: list[str]) -> str:
    lines = []
    for report in reports:
        name = _shown(report.path)
        lines.append(
            f"{name}: {report.messages} messages, {len(report.untranslated)} untranslated, "
            f"{len(report.fuzzy)} fuzzy, {len(report.placeholders)} with wrong placeholders"
        )
        for kind, items in (
            ("untranslated", report.untranslated),
            ("fuzzy", report.fuzzy),
            ("placeholders differ", report.placeholders),
        ):
            for item in items[:SHOWN]:
                lines.append(f"  - {kind}: {item!r}")
            if len(items) > SHOWN:
                lines.append(f"  … and {len(items) - SHOWN} more {kind}")
    lines.extend(f"{problem}" for problem in missing)
    return "\n".join(lines)


def main() -> int:
    reports, missing = check_all()
    print(describe(reports, missing))
    failed = [r for r in reports if not r.ok]
    if failed or missing:
        print(
            f"\n{len(failed)} catalogue(s) incomplete: translate every msgid into zh_Hans, bo and en "
            "(en: the msgid itself), keep the placeholders, clear fuzzy flags, then compilemessages."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
