from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xizang5g.core.models import AdminDivision, Unit
from xizang5g.core.widgets import DependentSelect
from xizang5g.plan import selectors
from xizang5g.plan.choices import ProjectState
from xizang5g.plan.models import Kpi, Milestone, ProgressReport, Project, Scenario, Task, WorkPoint

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "summary",
            "industry",
            "scenarios",
            "tasks",
            "work_points",
            "lead_unit",
            "participating_units",
            "operator",
            "prefecture",
            "county",
            "lon",
            "lat",
            "budget_wan",
            "declared_on",
            "start_date",
            "end_date",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "declared_on": DATE,
            "start_date": DATE,
            "end_date": DATE,
            "scenarios": forms.SelectMultiple(attrs={"size": 8}),
            "participating_units": forms.SelectMultiple(attrs={"size": 6}),
            "tasks": forms.SelectMultiple(attrs={"size": 6}),
            "work_points": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenarios"].queryset = Scenario.objects.select_related("industry")
        self.fields["tasks"].queryset = Task.objects.filter(plan=plan)
        self.fields["work_points"].queryset = WorkPoint.objects.filter(plan=plan)
        self.fields["prefecture"].queryset = AdminDivision.objects.filter(level="prefecture")
        counties = AdminDivision.objects.filter(level="county")
        county = self.fields["county"]
        county.widget = DependentSelect(
            parent_field="prefecture", parent_of=dict(counties.values_list("pk", "parent_id"))
        )
        county.widget.is_required = county.required
        county.queryset = counties  # after the widget: this hands it the choices
        self.fields["work_points"].label_from_instance = _work_point_label
        self.fields["operator"].queryset = Unit.objects.filter(kind="operator")
        if self.instance.pk is None:
            self.fields["declared_on"].initial = timezone.localdate()
        else:
            self.fields["declared_on"].disabled = True  # the lifecycle history starts there
        self.fields["lead_unit"].queryset = selectors.lead_unit_choices(user=user)
        if self.instance.pk is None and user.unit_id:
            self.fields["lead_unit"].initial = user.unit_id
        for name, field in self.fields.items():
            css = (
                "form-select"
                if isinstance(field.widget, forms.Select | forms.SelectMultiple)
                else "form-control"
            )
            field.widget.attrs.setdefault("class", css)
            if name in ("lon", "lat"):
                field.widget.attrs["step"] = "0.000001"

    def values(self) -> tuple[dict, dict]:
        data = dict(self.cleaned_data)
        m2m = {
            name: list(data.pop(name))
            for name in ("scenarios", "tasks", "work_points", "participating_units")
        }
        return data, m2m


def _work_point_label(point: WorkPoint) -> str:
    """Work points share categories: the start of the text tells them apart."""
    text = point.text if len(point.text) <= 36 else point.text[:35] + "…"
    return f"{point.year}-{point.number} {point.category}: {text}"


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=ProjectState.choices, widget=forms.HiddenInput)
    effective_on = forms.DateField(label=_("Effective on"), widget=DATE)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "note"]
        widgets = {
            "title": forms.TextInput(attrs={"placeholder": _("Milestone title")}),
            "due_date": DATE,
            "note": forms.TextInput(),
        }


class DateForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)


class ReportForm(forms.ModelForm):
    submit = forms.BooleanField(
        label=_("Submit now (the report becomes read-only)"), required=False
    )
    attachment = forms.FileField(label=_("Evidence file"), required=False)
    attachment_description = forms.CharField(
        label=_("Evidence description"), required=False, max_length=200
    )

    class Meta:
        model = ProgressReport
        fields = ["period", "summary", "problems", "next_steps"]
        widgets = {
            "period": forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "problems": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].input_formats = ["%Y-%m", "%Y-%m-%d"]


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ["name", "measure_unit", "target", "actual", "higher_is_better"]
        widgets = {
            "name": forms.TextInput(attrs={"placeholder": _("KPI name")}),
            "measure_unit": forms.TextInput(attrs={"placeholder": _("Unit, e.g. 例/月")}),
            "target": forms.NumberInput(attrs={"placeholder": _("Target")}),
            "actual": forms.NumberInput(attrs={"placeholder": _("Actual (optional)")}),
        }


def style(form: forms.BaseForm) -> forms.BaseForm:
    """Bootstrap classes for every widget of a form."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form
