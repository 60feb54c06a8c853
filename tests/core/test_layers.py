"""The layers are enforced: import-linter, with the contracts the installed apps declare."""

from django.core.management import call_command

from xizang5g.core.management.commands.lint_layers import contracts


def test_the_apps_keep_to_their_layers():
    call_command("lint_layers")  # raises CommandError on a broken contract


def test_the_contract_comes_from_the_apps():
    config = contracts()
    # top to bottom: plan, then any verticals installed, then the systems in one layer
    systems = "    xizang5g.iot | xizang5g.network | xizang5g.security\n"
    assert "    xizang5g.plan\n" in config and systems in config
    assert config.index("    xizang5g.plan\n") < config.index(systems)
    verticals = "    xizang5g.edu | xizang5g.health | xizang5g.industry | xizang5g.tourism\n"
    assert config.index("    xizang5g.plan\n") < config.index(verticals) < config.index(systems)
    assert "xizang5g.radio" in config and "django" in config
