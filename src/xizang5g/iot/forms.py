from django import forms
from django.utils.translation import gettext_lazy as _

from xizang5g.core import access, limits
from xizang5g.core.choices import AlertSeverity
from xizang5g.core.models import Pilot, Unit
from xizang5g.iot import selectors, subscriptions
from xizang5g.iot.choices import Comparison, RuleKind
from xizang5g.iot.models import Device, Product


def style(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")
    return form


class ThingModelForm(forms.Form):
    text = forms.CharField(
        label=_("Thing model (JSON)"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 18, "spellcheck": "false", "class": "form-control font-monospace small"}
        ),
    )
    file = forms.FileField(label=_("…or import a JSON file"), required=False)

    def clean_file(self) -> str:
        """The uploaded file's text: bounded in size, UTF-8 or GB18030, never with characters
        replaced."""
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        try:
            content = limits.read_upload(upload, max_bytes=limits.limit("XZ5G_JSON_MAX_BYTES"))
            return limits.decode_text(content, what=upload.name)
        except limits.InputRejected as exc:
            raise forms.ValidationError(exc.message) from exc

    def source(self) -> str:
        return self.cleaned_data.get("file") or self.cleaned_data.get("text") or ""


class ProductForm(ThingModelForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit = forms.ModelChoiceField(
        label=_("Owner unit"), queryset=Unit.objects.filter(is_active=True), required=False
    )
    field_order = ["name", "description", "unit", "text", "file"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.unit_choices(user=user)
        # Only the plan office publishes platform products (without a unit).
        self.fields["unit"].required = not access.sees_all(user, Product, access.CHANGE)


class BulkDevicesForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all())
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True))
    project = forms.ModelChoiceField(label=_("Pilot project"), queryset=None, required=False)
    prefix = forms.SlugField(label=_("Name prefix"), max_length=50, initial="dev-")
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=1000, initial=10)
    start = forms.IntegerField(label=_("First number"), min_value=0, initial=1)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are what the user may use: never another unit's products or projects.
        self.fields["product"].queryset = selectors.product_choices(user=user)
        self.fields["unit"].queryset = selectors.unit_choices(user=user)
        self.fields["project"].queryset = Pilot.objects.restrict(user).order_by("code")
        style(self)


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleKind.choices)
    device = forms.ModelChoiceField(
        label=_("Only this device"), queryset=Device.objects.none(), required=False
    )
    property = forms.ChoiceField(label=_("Property"), required=False)
    comparison = forms.ChoiceField(
        label=_("Comparison"), choices=Comparison.choices, required=False
    )
    threshold = forms.FloatField(label=_("Threshold"), required=False)
    hysteresis = forms.FloatField(label=_("Hysteresis"), required=False, initial=0)
    low = forms.FloatField(label=_("Lower bound"), required=False)
    high = forms.FloatField(label=_("Upper bound"), required=False)
    rate_per_minute = forms.FloatField(label=_("Max change per minute"), required=False)
    minutes = forms.IntegerField(label=_("Minutes without data"), required=False, min_value=1)
    event_identifier = forms.ChoiceField(label=_("Event"), required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=AlertSeverity.choices, initial=AlertSeverity.MAJOR
    )
    action = forms.ChoiceField(
        label=_("When it fires"), choices=subscriptions.rule_action_choices, required=False
    )

    def __init__(self, *args, product: Product, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = Device.objects.restrict(user).filter(product=product)
        self.fields["property"].choices = [("", "—")] + [
            (p["identifier"], f"{p['name']} ({p['identifier']})") for p in product.properties
        ]
        self.fields["event_identifier"].choices = [("", _("Any alert or error event"))] + [
            (e["identifier"], f"{e['name']} ({e['identifier']})") for e in product.events
        ]
        style(self)

    def rule_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("name"), data.pop("kind")
        data["hysteresis"] = data.get("hysteresis") or 0
        data["comparison"] = data.get("comparison") or Comparison.ABOVE
        return data
