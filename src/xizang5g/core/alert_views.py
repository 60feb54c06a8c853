"""Alert centre pages: the list with filters and bulk acknowledge, one alert with its history,
and the notification channels. Reads via core.selectors, writes via core.services."""

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xizang5g.core import access, limits, notifications, registry, selectors, services
from xizang5g.core.choices import AlertSeverity, AlertSource, AlertState
from xizang5g.core.models import Alert, NotificationChannel, Unit

PAGE_SIZE = 50
STATE_CHOICES = [
    ("live", gettext_lazy("Open or acknowledged")),
    *AlertState.choices,
    ("all", gettext_lazy("All")),
]


def _filters(request) -> dict:
    get = request.GET
    return {
        "state": get.get("state", "live"),
        "severity": get.get("severity", ""),
        "source": get.get("source", ""),
        "unit_id": get.get("unit_id", ""),
        "q": get.get("q", "").strip(),
    }


def _alerts(user, filters: dict):
    query = dict(filters)
    state = query.pop("state")
    if state in AlertState.values:
        query["state"] = state
    qs = selectors.alert_list(user=user, filters=query)
    if state == "live":
        qs = qs.exclude(state=AlertState.RESOLVED)
    return qs


@login_required
def alert_list(request):
    filters = _filters(request)
    qs = _alerts(request.user, filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    live = selectors.alert_list(user=request.user).exclude(state=AlertState.RESOLVED)
    by_severity = dict(live.values_list("severity").annotate(n=Count("id")))
    context = {
        "page": page,
        "filters": filters,
        "states": STATE_CHOICES,
        "severities": AlertSeverity.choices,
        "sources": registry.alert_sources(),
        "units": selectors.alert_units(user=request.user),
        "kpis": [
            (value, label, by_severity.get(value, 0))
            for value, label in reversed(AlertSeverity.choices)
        ],
        "live_total": sum(by_severity.values()),
        "querystring": request.GET.urlencode(),
    }
    template = "core/alerts/_table.html" if request.htmx else "core/alerts/list.html"
    return render(request, template, context)


@login_required
@require_POST
def alert_bulk_acknowledge(request):
    ids = limits.db_ids(request.POST.getlist("ids"))
    visible = selectors.alert_list(user=request.user).filter(pk__in=ids)
    allowed = [a for a in visible if selectors.alert_can_handle(user=request.user, alert=a)]
    count = services.alert_bulk_acknowledge(
        alerts=allowed, user=request.user, note=request.POST.get("note", "")
    )
    if count:
        messages.success(request, _("%(n)d alerts acknowledged.") % {"n": count})
    skipped = len(ids) - len(allowed)
    if skipped:
        messages.warning(
            request, _("%(n)d selected alerts may not be handled by you.") % {"n": skipped}
        )
    if not ids:
        messages.info(request, _("Select the alerts to acknowledge."))
    return redirect(request.POST.get("next") or "core:alert_list")


def object_link(alert) -> tuple[str, str] | None:
    """(label, url) of the object an alert is about, when it still exists and has a page."""
    if not alert.object_type or not alert.object_id:
        return None
    try:
        model = apps.get_model(alert.object_type)
    except (LookupError, ValueError):
        return None
    obj = model._base_manager.filter(pk=alert.object_id).first()
    if obj is None or not hasattr(obj, "get_absolute_url"):
        return None
    return str(obj), obj.get_absolute_url()


@login_required
def alert_detail(request, pk: int):
    alert = selectors.alert_get(user=request.user, pk=pk)
    if request.method == "POST":
        action, note = request.POST.get("action"), request.POST.get("note", "")
        try:
            if action == "acknowledge":
                services.alert_acknowledge(alert=alert, user=request.user, note=note)
                messages.success(request, _("Alert acknowledged."))
            elif action == "resolve":
                services.alert_resolve(alert=alert, user=request.user, note=note)
                messages.success(request, _("Alert resolved."))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect("core:alert_detail", pk=alert.pk)
    return render(
        request,
        "core/alerts/detail.html",
        {
            "alert": alert,
            "events": alert.events.select_related("user"),
            "can_handle": selectors.alert_can_handle(user=request.user, alert=alert),
            "object_link": object_link(alert),
            "related": selectors.alert_list(user=request.user)
            .filter(object_type=alert.object_type, object_id=alert.object_id)
            .exclude(pk=alert.pk)[:10]
            if alert.object_id
            else [],
        },
    )


# --- notification channels ----------------------------------------------------------------------
class ChannelForm(forms.ModelForm):
    sources = forms.MultipleChoiceField(
        label=gettext_lazy("Sources"),
        choices=registry.alert_sources,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every source."),
    )

    class Meta:
        model = NotificationChannel
        fields = ["name", "kind", "target", "secret", "unit", "min_severity", "sources", "enabled"]
        widgets = {
            "target": forms.Textarea(attrs={"rows": 2}),
            "secret": forms.PasswordInput(render_value=True),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in ("sources", "enabled"):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        self.fields["enabled"].widget.attrs["class"] = "form-check-input"
        if user is not None and not access.sees_all(user, NotificationChannel, access.CHANGE):
            self.fields["unit"].queryset = Unit.objects.filter(pk=user.unit_id)
            self.fields["unit"].required = True


def _may_configure(user) -> bool:
    return access.role_may(user, access.CHANGE, NotificationChannel)


@login_required
def channel_list(request):
    if not _may_configure(request.user):
        raise PermissionDenied(_("Your role does not configure notifications."))
    return render(
        request,
        "core/alerts/channels.html",
        {"channels": selectors.channel_list(user=request.user), "can_create": True},
    )


@login_required
def channel_edit(request, pk: int | None = None):
    if pk:
        channel = selectors.channel_get(user=request.user, pk=pk)
    elif _may_configure(request.user):
        channel = NotificationChannel()
    else:
        raise PermissionDenied(_("Your role does not configure notifications."))
    form = ChannelForm(request.POST or None, instance=channel, user=request.user)
    if request.method == "POST":
        if request.POST.get("action") == "delete" and pk:
            notifications.channel_delete(channel=channel, user=request.user)
            messages.success(request, _("Channel deleted."))
            return redirect("core:channel_list")
        if form.is_valid():
            try:
                notifications.channel_save(channel=form.save(commit=False), user=request.user)
            except ValidationError as exc:
                form.add_error("target", exc.messages)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                if request.POST.get("action") == "test":
                    ok, detail = notifications.send(channel, _sample_alert(channel))
                    (messages.success if ok else messages.error)(
                        request, _("Test: %(d)s") % {"d": detail}
                    )
                    return redirect("core:channel_edit", pk=channel.pk)
                messages.success(request, _("Channel saved."))
                return redirect("core:channel_list")
    return render(request, "core/alerts/channel_form.html", {"form": form, "channel": channel})


def _sample_alert(channel):
    now = timezone.now()
    return Alert(
        pk=0,
        source=AlertSource.DEVICE_RULE,
        rule="test",
        dedup_key="test",
        title=_("Test notification"),
        message=_("This is a test of the notification channel."),
        severity=AlertSeverity.INFO,
        unit=channel.unit,
        first_seen=now,
        last_seen=now,
    )
