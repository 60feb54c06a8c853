"""Form widgets the apps share."""

from django import forms


class DependentSelect(forms.Select):
    """A select whose options belong to a choice of another select (a county to its prefecture):
    each option carries its parent's value, and static/js/platform.js shows only the options of
    the parent chosen. The form still validates the pair on the server."""

    def __init__(self, *args, parent_field: str, parent_of: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_field = parent_field
        self.parent_of = parent_of  # option value → parent value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-depends-on"] = f"id_{self.parent_field}"
        return context

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = getattr(value, "value", value)  # ModelChoiceIteratorValue
        parent = self.parent_of.get(key)
        if parent is not None:
            option["attrs"]["data-parent"] = str(parent)
        return option
