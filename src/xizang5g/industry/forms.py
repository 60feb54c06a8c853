"""Forms of the industry pages: which shift to show, and a dispatcher's assignment."""

from __future__ import annotations

from datetime import date, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xizang5g.industry import shifts
from xizang5g.industry.choices import Shift


class ShiftForm(forms.Form):
    """A shift by its local start date and kind; empty: the shift running now."""

    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("the local date the shift starts on"),
    )
    shift = forms.ChoiceField(label=_("Shift"), choices=Shift.choices, required=False)

    def clean_date(self):
        value = self.cleaned_data.get("date")
        if value is not None and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            raise forms.ValidationError(_("Give a date between 2000 and 2100."))
        return value

    def span(self, shift_start: time, now=None) -> shifts.ShiftSpan:
        """The shift chosen (call after is_valid()); the running one for what is left empty."""
        current = shifts.shift_at(now or timezone.now(), shift_start)
        day = self.cleaned_data.get("date") or current.day
        kind = self.cleaned_data.get("shift") or current.kind
        return shifts.span(day, kind, shift_start)


class AssignmentForm(forms.Form):
    truck = forms.CharField(label=_("Truck"), max_length=32)
    loader = forms.CharField(label=_("Loader"), max_length=32)


class ShiftExportForm(ShiftForm):
    """An export names its shift: both fields are required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].required = True
        self.fields["shift"].required = True
