"""The layers are enforced: import-linter, with the contracts the installed apps declare."""

from django.core.management import call_command

from xizang5g.core.management.commands.lint_layers import contracts


def test_the_apps_keep_to_their_layers():
    call_command("lint_layers")  # raises CommandError on a broken contract


def test_the_contract_comes_from_the_apps():
    config = contracts()
    # plan on top, the verticals (if any) below it, then the systems
    top = config.index("    xizang5g.plan\n")
    systems = config.index("    xizang5g.iot | xizang5g.network | xizang5g.security\n")
    assert top < systems
    assert "xizang5g.radio" in config and "django" in config
