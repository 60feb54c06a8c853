"""Every catalogue (shared and per app) is complete in zh_Hans, bo and en, placeholders intact.

The same check as `make messages` (scripts/check_messages.py), so a string added without its
three translations fails the suite and the message names the catalogue and the msgids.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_messages.py"


def _load_checker():
    spec = importlib.util.spec_from_file_location("check_messages", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checker = _load_checker()


def test_every_catalogue_is_complete_in_every_language():
    reports, missing = checker.check_all()
    assert reports, "no catalogue found"
    languages = {r.path.parts[-3] for r in reports}
    assert languages == {"zh_Hans", "bo", "en"}
    failed = [r for r in reports if not r.ok]
    assert not failed and not missing, "\n" + checker.describe(failed, missing)


def _write_catalogue(tmp_path: Path, plural_forms: str, entries: list[polib.POEntry]) -> Path:
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": plural_forms}
    for entry in entries:
        catalogue.append(entry)
    path = tmp_path / "bo" / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    catalogue.save(str(path))
    return path


def test_the_check_names_untranslated_fuzzy_and_broken_placeholders(tmp_path):
    fmt = ["python-format"]
    path = _write_catalogue(
        tmp_path,
        "nplurals=1; plural=0;",
        [
            polib.POEntry(msgid="Log in", msgstr="ནང་འཛུལ།"),
            polib.POEntry(msgid="Not translated", msgstr=""),
            polib.POEntry(msgid="Checked", msgstr="ཞིབ་བཤེར།", flags=["fuzzy"]),
            polib.POEntry(msgid="%(n)s rows", msgstr="ཕྲེང་", flags=fmt),
            polib.POEntry(msgid="%(n)s rows", msgctxt="2", msgstr="ཕྲེང་ %(m)s", flags=fmt),
            polib.POEntry(msgid="%(r).0f %% of the limit", msgstr="%(r).0f %", flags=fmt),
            polib.POEntry(msgid="Hello {name}", msgstr="བཀྲ་ཤིས་བདེ་ལེགས།"),
            polib.POEntry(
                msgid="%(n)s alert",
                msgid_plural="%(n)s alerts",
                msgstr_plural={0: "ཉེན་བརྡ་ %(n)s"},
                flags=fmt,
            ),
            polib.POEntry(
                msgid="%(n)s event", msgid_plural="%(n)s events", msgstr_plural={0: ""}, flags=fmt
            ),
        ],
    )
    report = checker.check_catalogue(path)
    assert report.messages == 9
    assert report.untranslated == ["Not translated", "%(n)s event"]
    assert report.fuzzy == ["Checked"]
    broken = [item.split(" → ")[0] for item in report.placeholders]
    assert broken == ["%(n)s rows", "%(n)s rows", "%(r).0f %% of the limit", "Hello {name}"]
    assert not report.ok
    text = checker.describe([report], [])
    assert "untranslated: 'Not translated'" in text and "fuzzy: 'Checked'" in text


def test_a_complete_catalogue_passes_and_keeps_percent_signs(tmp_path):
    path = _write_catalogue(
        tmp_path,
        "nplurals=2; plural=(n != 1);",
        [
            polib.POEntry(msgid="must be 0–100 %", msgstr="must be 0–100 %"),
            polib.POEntry(
                msgid="Villages with 5G (%%)",
                msgstr="Villages with 5G (%%)",
                flags=["python-format"],
            ),
            polib.POEntry(
                msgid="%(n)s site",
                msgid_plural="%(n)s sites",
                msgstr_plural={0: "%(n)s site", 1: "%(n)s sites"},
                flags=["python-format"],
            ),
        ],
    )
    assert checker.check_catalogue(path).ok


@pytest.mark.parametrize("language", ["zh_Hans", "bo", "en"])
def test_compiled_catalogues_are_up_to_date(language):
    """The .mo beside each .po holds every translation (compilemessages was run)."""
    for po_path in ROOT.glob(f"src/xizang5g/**/locale/{language}/LC_MESSAGES/django.po"):
        po = polib.pofile(str(po_path))
        mo = polib.mofile(str(po_path.with_suffix(".mo")))
        compiled = {(e.msgctxt, e.msgid) for e in mo}
        stale = [e.msgid for e in po.translated_entries() if (e.msgctxt, e.msgid) not in compiled]
        assert not stale, f"{po_path.relative_to(ROOT)}: compile it; e.g. {stale[:5]}"


def test_the_script_exits_zero_on_the_project():
    run = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "locale/bo/LC_MESSAGES/django.po" in run.stdout
