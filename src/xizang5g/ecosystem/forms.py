from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xizang5g.core.models import AdminDivision
from xizang5g.ecosystem import creditcode
from xizang5g.ecosystem.choices import OrganisationKind
from xizang5g.ecosystem.models import Demand, Event, Solution
from xizang5g.plan.models import Industry, Scenario

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def styled(form):
    """Bootstrap classes on every widget."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form


def prefectures():
    return AdminDivision.objects.filter(level="prefecture").order_by("adcode")


class SignUpForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=24,
        help_text=_("18 characters, as on the business licence (GB 32100-2015)."),
    )
    prefecture = forms.ModelChoiceField(
        label=_("Prefecture"), queryset=AdminDivision.objects.none()
    )
    introduction = forms.CharField(
        label=_("What the organisation does"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    email = forms.EmailField(label=_("Email"))
    phone = forms.CharField(label=_("Phone"), max_length=32)
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("For the first member account: letters, digits and @.+-_ only."),
    )
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput, max_length=128
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].queryset = prefectures()
        styled(self)

    def clean_credit_code(self):
        code = creditcode.normalise(self.cleaned_data["credit_code"])
        message = creditcode.problem(code)
        if message:
            raise ValidationError(message)
        return code

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class _PostForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industries"].queryset = Industry.objects.all()
        self.fields["scenarios"].queryset = Scenario.objects.select_related("industry")
        self.fields["prefectures"].queryset = prefectures()
        styled(self)

    def values_and_tags(self) -> tuple[dict, dict]:
        data = dict(self.cleaned_data)
        tags = {name: data.pop(name) for name in ("industries", "scenarios", "prefectures")}
        return data, tags


TAG_WIDGETS = {
    "description": forms.Textarea(attrs={"rows": 6}),
    "industries": forms.SelectMultiple(attrs={"size": 6}),
    "scenarios": forms.SelectMultiple(attrs={"size": 8}),
    "prefectures": forms.SelectMultiple(attrs={"size": 7}),
}


class DemandForm(_PostForm):
    class Meta:
        model = Demand
        fields = [
            "title",
            "description",
            "industries",
            "scenarios",
            "prefectures",
            "budget_min_wan",
            "budget_max_wan",
            "wanted_by",
        ]
        widgets = {**TAG_WIDGETS, "wanted_by": DATE}


class SolutionForm(_PostForm):
    class Meta:
        model = Solution
        fields = [
            "title",
            "description",
            "industries",
            "scenarios",
            "prefectures",
            "maturity",
            "price_from_wan",
            "references",
            "is_public",
        ]
        widgets = {**TAG_WIDGETS, "references": forms.Textarea(attrs={"rows": 3})}


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "prefecture",
            "description",
            "capacity",
            "is_published",
        ]
        widgets = {
            "starts_at": DATETIME,
            "ends_at": DATETIME,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].queryset = prefectures()
        styled(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)
