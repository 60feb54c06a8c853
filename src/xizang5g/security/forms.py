from django import forms
from django.utils.translation import gettext_lazy as _

from xizang5g.core.models import Unit
from xizang5g.security.choices import ClosingReason, IncidentCategory, IncidentLevel, IncidentState
from xizang5g.security.models import InformationSystem

RULE_PLACEHOLDER = """title: …
id: 00000000-0000-0000-0000-000000000000
status: experimental
logsource:
  category: webserver
detection:
  selection:
    cs-uri-query|contains: '…'
  condition: selection
level: medium"""


class SigmaRuleForm(forms.Form):
    yaml = forms.CharField(
        label=_("Sigma rule (YAML)"),
        widget=forms.Textarea(
            attrs={
                "rows": 18,
                "class": "form-control font-monospace",
                "placeholder": RULE_PLACEHOLDER,
                "spellcheck": "false",
            }
        ),
    )


class IncidentForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=255, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    category = forms.ChoiceField(
        label=_("Category (GB/T 20986)"),
        choices=IncidentCategory.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    level = forms.ChoiceField(
        label=_("Level (GB/T 20986)"),
        choices=IncidentLevel.choices,
        initial=IncidentLevel.GENERAL,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    responsible_unit = forms.ModelChoiceField(
        label=_("Responsible unit"),
        queryset=Unit.objects.filter(is_active=True),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    systems = forms.ModelMultipleChoiceField(
        label=_("Affected systems"),
        queryset=InformationSystem.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class FromAlertForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level (GB/T 20986)"),
        choices=IncidentLevel.choices,
        initial=IncidentLevel.GENERAL,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(
        label=_("Next state"),
        choices=IncidentState.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    closing_reason = forms.ChoiceField(
        label=_("Closing reason"),
        choices=[("", "—"), *ClosingReason.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
