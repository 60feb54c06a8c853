from django import template
from django.utils.translation import gettext as _

from xizang5g.network.choices import MitigationKind

register = template.Library()


@register.filter
def mitigation_text(mitigation: dict) -> str:
    """A what-if in words, e.g. "LNB band-pass filter at the earth station: 30 dB rejection"."""
    if not mitigation:
        return ""
    kind = mitigation.get("kind", "")
    label = str(MitigationKind(kind).label) if kind in MitigationKind.values else kind
    parts = []
    if mitigation.get("rejection_db") not in (None, ""):
        parts.append(_("%(v)s dB rejection") % {"v": mitigation["rejection_db"]})
    if mitigation.get("reduction_db") not in (None, ""):
        parts.append(_("%(v)s dB less power") % {"v": mitigation["reduction_db"]})
    if mitigation.get("azimuth_deg") not in (None, ""):
        parts.append(_("azimuth %(v)s°") % {"v": mitigation["azimuth_deg"]})
    if mitigation.get("downtilt_deg") not in (None, ""):
        parts.append(_("downtilt %(v)s°") % {"v": mitigation["downtilt_deg"]})
    if mitigation.get("lon") not in (None, "") and mitigation.get("lat") not in (None, ""):
        parts.append(
            _("new site %(lon)s°E, %(lat)s°N")
            % {"lon": mitigation["lon"], "lat": mitigation["lat"]}
        )
    return f"{label}: {', '.join(parts)}" if parts else label
