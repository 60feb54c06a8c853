from django import forms
from django.utils.translation import gettext_lazy as _

from xizang5g.core import access
from xizang5g.core.choices import DivisionLevel
from xizang5g.core.models import AdminDivision, Unit
from xizang5g.network import constants as C
from xizang5g.network.choices import MitigationKind, StudyScope
from xizang5g.network.models import Cell, EarthStation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))


class StudyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    scope = forms.ChoiceField(
        label=_("Earth stations"), choices=StudyScope.choices, initial=StudyScope.ALL
    )
    earth_stations = forms.ModelMultipleChoiceField(
        label=_("Selected earth stations"),
        queryset=EarthStation.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    division = forms.ModelChoiceField(
        label=_("County"),
        queryset=AdminDivision.objects.filter(level=DivisionLevel.COUNTY),
        required=False,
    )
    coordination_km = forms.FloatField(
        label=_("Coordination distance (km)"),
        initial=C.DEFAULT_COORDINATION_KM,
        min_value=1,
        max_value=C.MAX_COORDINATION_KM,
    )
    p_percent = forms.FloatField(
        label=_("Time percentage, in-band (%)"),
        initial=C.P_PERCENT_LONG_TERM,
        min_value=0.001,
        max_value=50,
    )


class CellChangeForm(forms.ModelForm):
    class Meta:
        model = Cell
        fields = [
            "power_dbm",
            "gain_dbi",
            "height_m",
            "azimuth_deg",
            "mech_tilt_deg",
            "elec_tilt_deg",
            "status",
        ]


class EarthStationForm(forms.ModelForm):
    class Meta:
        model = EarthStation
        fields = [
            "owner",
            "code",
            "name",
            "purpose",
            "lon",
            "lat",
            "ground_m",
            "antenna_height_m",
            "diameter_m",
            "pattern",
            "satellite",
            "orbital_lon_deg",
            "rx_low_mhz",
            "rx_high_mhz",
            "carrier_low_mhz",
            "carrier_high_mhz",
            "noise_temp_k",
            "lnb_gain_db",
            "lnb_p1db_dbm",
            "filter_name",
            "filter_rejection_db",
            "i_n_criterion_db",
            "status",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Owners the user may register stations for: every unit for the regulator, its own else.
        units = Unit.objects.filter(is_active=True)
        if not access.sees_all(user, EarthStation, access.CHANGE):
            units = units.filter(pk=user.unit_id)
        self.fields["owner"].queryset = units


class CaseForm(forms.Form):
    earth_station = forms.ModelChoiceField(
        label=_("Earth station"), queryset=EarthStation.objects.all()
    )
    cells = forms.ModelMultipleChoiceField(
        label=_("Cells (new or changed)"),
        queryset=Cell.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, cells=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cells is not None:
            self.fields["cells"].queryset = cells


class MitigationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Mitigation"), choices=MitigationKind.choices)
    rejection_db = forms.FloatField(
        label=_("Filter rejection (dB)"), required=False, min_value=0, max_value=80
    )
    reduction_db = forms.FloatField(
        label=_("Power reduction (dB)"), required=False, min_value=0, max_value=80
    )
    azimuth_deg = forms.FloatField(
        label=_("New azimuth (°)"), required=False, min_value=0, max_value=359.9
    )
    downtilt_deg = forms.FloatField(
        label=_("New downtilt (°)"), required=False, min_value=-20, max_value=30
    )
    lon = forms.FloatField(label=_("New longitude"), required=False)
    lat = forms.FloatField(label=_("New latitude"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def mitigation(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "") and k != "note"}
        return data


class CommentForm(forms.Form):
    note = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("Document"))


class TerrainForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    path = forms.CharField(label=_("Server path of the GeoTIFF / HGT file"), max_length=500)
