"""The table of rights in docs/security.md: current with the rules, faithful to them, and the
`access_table` command that writes and checks it."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from xizang5g.core import access, access_table
from xizang5g.core.choices import AlertSource, Role
from xizang5g.core.models import Alert

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def test_the_table_in_the_docs_is_current_with_the_rules():
    document = DOCS.read_text(encoding="utf-8")
    assert access_table.written_table(document) == access_table.render(), (
        "docs/security.md is out of date with the access rules: run "
        "`XZ5G_DEBUG=1 xizang5g access_table --write docs/security.md`"
    )
    call_command("access_table", check=str(DOCS))


@pytest.fixture
def users(make_user, make_unit):
    """One user of each role, the unit editor with a unit, plus one without."""
    unit = make_unit("some-unit")
    made = {role: make_user(f"u-{role}", role, unit) for role in Role.values}
    # An editor whose unit was taken away (accounts are not created without one).
    nounit = make_user("u-nounit", Role.UNIT_EDITOR, unit)
    nounit.unit = None
    nounit.save()
    made["nounit"] = nounit
    return made


def _root_models():
    return [
        m for models in access_table.ruled_models().values() for m in models if not m.access.via
    ]


@pytest.mark.parametrize("action", [access.VIEW, access.CHANGE, access.APPROVE])
def test_each_cell_says_what_the_rule_grants(users, action):
    """'every' exactly where the rule grants every object, 'none' exactly where it grants
    nothing: the words come from the same rule the platform applies."""
    wrong = []
    for model in _root_models():
        for role in Role.values:
            words = access_table.cell(model, role, action)
            user = users[role]
            if (words == access_table.EVERY_OBJECT) != access.sees_all(user, model, action):
                wrong.append((model.__name__, role, action, words, "every?"))
            if (words == access_table.NONE) != (not access.role_may(user, action, model)):
                wrong.append((model.__name__, role, action, words, "none?"))
            unit_only = words.startswith("own unit's") and "+" not in words
            if unit_only and access.role_may(users["nounit"], action, model):
                wrong.append((model.__name__, "nounit", action, words, "unit-less editor"))
    assert not wrong, wrong


def test_conditions_are_told_in_words_with_choice_labels():
    regulator = access_table.cell(Alert, Role.REGULATOR, access.CHANGE)
    security = access_table.cell(Alert, Role.SECURITY_OPERATOR, access.CHANGE)
    assert regulator == (
        f'where source is "{AlertSource.INTERFERENCE.label}" or "{AlertSource.EMF.label}"'
    )
    assert security == f'where source is "{AlertSource.SECURITY.label}"'


def test_every_step_names_functions_that_exist():
    missing = [
        path
        for step in access_table.STEPS
        for path in step.enforced_by
        if access_table.resolve(path) is None
    ]
    assert not missing, f"docs/security.md names functions that no longer exist: {missing}"


STALE = f"""# Title

Prose the command must keep.

{access_table.START}
an old table
{access_table.END}

More prose after the table.
"""


def test_write_replaces_only_the_part_between_the_markers(tmp_path, capsys):
    doc = tmp_path / "security.md"
    doc.write_text(STALE, encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("access_table", check=str(doc))
    call_command("access_table", write=str(doc))
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nProse the command must keep.\n\n")
    assert text.endswith(f"{access_table.END}\n\nMore prose after the table.\n")
    assert "an old table" not in text and "| **pilot project**" in text
    call_command("access_table", check=str(doc))
    assert "is current" in capsys.readouterr().out


def test_a_document_without_markers_or_a_missing_file_is_a_clear_error(tmp_path):
    doc = tmp_path / "plain.md"
    doc.write_text("# no markers here\n", encoding="utf-8")
    with pytest.raises(CommandError, match="has no <!-- access-table:start -->"):
        call_command("access_table", write=str(doc))
    assert doc.read_text(encoding="utf-8") == "# no markers here\n"
    with pytest.raises(CommandError, match="No such file"):
        call_command("access_table", check=str(tmp_path / "missing.md"))


def test_without_options_the_table_is_printed(capsys):
    call_command("access_table")
    out = capsys.readouterr().out
    assert out == access_table.render()
    assert "### Plan supervision (`plan`)" in out
