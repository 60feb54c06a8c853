"""IoT hub pages: devices (list with state, detail with live charts and the rejected-message log),
products (thing-model editor and import), rules. Thin: reads via selectors, writes via services."""

import json
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xizang5g.core import access, summaries
from xizang5g.core.choices import AlertState
from xizang5g.core.models import Pilot
from xizang5g.core.selectors import alert_list
from xizang5g.iot import selectors, services
from xizang5g.iot.choices import DeviceState, RuleKind
from xizang5g.iot.forms import BulkDevicesForm, ProductForm, RuleForm, ThingModelForm, style
from xizang5g.iot.models import Device, LatestValue, Product, Reading, RejectedMessage, Rule
from xizang5g.iot.services import thing_model_parse
from xizang5g.iot.tsl import NUMERIC_TYPES, ThingModelError

LIVE_WINDOW = timedelta(hours=1)
MAX_POINTS = 2000
DEVICE_LIST_TTL = 15  # seconds: device states and "last seen" follow telemetry, not the change log


def _can_create(user) -> bool:
    return access.role_may(user, access.CHANGE, Device)


# --- devices ----------------------------------------------------------------------------------------
@login_required
def device_list(request):
    filters = {k: request.GET.get(k, "") for k in ("state", "product", "project", "q")}
    if request.htmx:  # the table alone, as the filters change
        return render(request, "iot/_device_table.html", _device_page(request, filters))
    body = summaries.section(
        request,
        "iot/_device_list_body.html",
        lambda: _device_list_context(request, filters),
        vary=(request.GET.urlencode(),),
        ttl=DEVICE_LIST_TTL,
    )
    return render(
        request, "iot/device_list.html", {"body": body, "can_create": _can_create(request.user)}
    )


def _device_page(request, filters: dict) -> dict:
    qs = selectors.device_list(user=request.user, filters=filters)
    return {"page": Paginator(qs, 50).get_page(request.GET.get("page")), "filters": filters}


def _device_list_context(request, filters: dict) -> dict:
    scope = selectors.device_list(user=request.user)
    counts = dict(scope.values_list("status__state").annotate(n=Count("pk")))
    since = timezone.now() - timedelta(hours=24)
    return {
        **_device_page(request, filters),
        "states": DeviceState.choices,
        "products": selectors.product_list(user=request.user),
        "projects": Pilot.objects.restrict(request.user)
        .filter(iot_devices__in=scope)
        .distinct()
        .order_by("code"),
        "total": sum(counts.values()),
        "counts": counts,
        "rejected_24h": RejectedMessage.objects.restrict(request.user)
        .filter(time__gte=since)
        .count(),
        "live_alerts": alert_list(user=request.user, filters={"source": "device_rule"})
        .exclude(state=AlertState.RESOLVED)
        .count(),
    }


def _chart_properties(device: Device) -> list[dict]:
    return [
        {
            "identifier": p["identifier"],
            "name": p["name"],
            "unit": (p["dataType"].get("specs") or {}).get("unit", ""),
            "type": p["dataType"]["type"],
        }
        for p in device.product.properties
        if p["dataType"]["type"] in (*NUMERIC_TYPES, "bool", "enum")
    ]


@login_required
def device_detail(request, pk: int):
    device = selectors.device_get(user=request.user, pk=pk)
    props = {p["identifier"]: p for p in device.product.properties}
    latest = [
        {"value": v, "prop": props.get(v.property, {"name": v.property, "dataType": {"type": "?"}})}
        for v in selectors.latest_values(device=device)
    ]
    alerts = alert_list(user=request.user).filter(
        object_type="iot.Device", object_id=str(device.pk)
    )[:20]
    rules = selectors.rule_list(user=request.user, product=device.product).filter(
        Q(device__isnull=True) | Q(device=device)
    )
    return render(
        request,
        "iot/device_detail.html",
        {
            "device": device,
            "status": getattr(device, "status", None),
            "latest": latest,
            "chart_properties": _chart_properties(device),
            "events": selectors.device_events(device=device, limit=20),
            "rejected": selectors.rejected_messages(device=device, limit=50),
            "alerts": alerts,
            "rules": rules,
            "can_edit": access.can(request.user, access.CHANGE, device),
            "secret": request.session.pop(f"iot-secret-{device.pk}", None),
            "topic_post": f"/sys/{device.product.product_key}/{device.name}/thing/event/property/post",
        },
    )


def _parse_time(raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@login_required
def device_telemetry(request, pk: int):
    """Points for the live charts: the last hour, or only what is newer than ?since=."""
    device = selectors.device_get(user=request.user, pk=pk)
    now = timezone.now()
    since = _parse_time(request.GET.get("since", "")) or now - LIVE_WINDOW
    wanted = [p["identifier"] for p in _chart_properties(device)]
    rows = (
        Reading.objects.filter(
            device=device, property__in=wanted, time__gt=since, value__isnull=False
        )
        .order_by("-time")
        .values_list("property", "time", "value")[: MAX_POINTS * max(len(wanted), 1)]
    )
    series: dict[str, list] = {p: [] for p in wanted}
    newest = since
    for prop, time, value in reversed(rows):
        series[prop].append([int(time.timestamp() * 1000), value])
        newest = max(newest, time)
    status = getattr(device, "status", None)
    return JsonResponse(
        {
            "series": series,
            "until": newest.isoformat(),
            "state": status.state if status else "inactive",
            "state_label": status.get_state_display() if status else "",
            "last_seen": status.last_seen.isoformat() if status and status.last_seen else None,
            "messages": status.messages_total if status else 0,
            "rejected": status.rejected_total if status else 0,
            "latest": {v.property: v.display for v in LatestValue.objects.filter(device=device)},
        }
    )


@login_required
def device_rejected(request, pk: int):
    device = selectors.device_get(user=request.user, pk=pk)
    return render(
        request,
        "iot/_rejected.html",
        {"device": device, "rejected": selectors.rejected_messages(device=device, limit=50)},
    )


@login_required
@require_POST
def device_action(request, pk: int):
    device = selectors.device_get(user=request.user, pk=pk, action=access.CHANGE)
    action = request.POST.get("action")
    if action in ("enable", "disable"):
        services.device_set_enabled(device=device, enabled=action == "enable", user=request.user)
        messages.success(
            request, _("Device enabled.") if action == "enable" else _("Device disabled.")
        )
    elif action == "rotate":
        request.session[f"iot-secret-{device.pk}"] = services.device_rotate_secret(
            device=device, user=request.user
        )
        messages.warning(request, _("A new secret was issued: copy it now, it is shown only once."))
    return redirect("iot:device_detail", pk=device.pk)


@login_required
def device_bulk_create(request):
    if not _can_create(request.user):
        raise PermissionDenied
    form = BulkDevicesForm(
        request.POST or None, user=request.user, initial={"unit": request.user.unit_id}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            credentials = services.devices_bulk_create(
                product=data["product"],
                prefix=data["prefix"],
                count=data["count"],
                start=data["start"],
                unit=data["unit"],
                project=data["project"],
                user=request.user,
            )
        except (ValidationError, ValueError, PermissionDenied) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            response = HttpResponse(
                services.credentials_csv(credentials), content_type="text/csv; charset=utf-8"
            )
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            response["Content-Disposition"] = (
                f'attachment; filename="credentials-{data["product"].product_key}-{stamp}.csv"'
            )
            return response
    return render(request, "iot/device_bulk_create.html", {"form": form})


# --- products --------------------------------------------------------------------------------------
@login_required
def product_list(request):
    products = selectors.product_list(
        user=request.user, filters={"q": request.GET.get("q", "")}
    ).annotate(n_devices=Count("devices", distinct=True), n_rules=Count("rules", distinct=True))
    return render(
        request,
        "iot/product_list.html",
        {
            "products": products,
            "can_create": access.role_may(request.user, access.CHANGE, Product),
        },
    )


def _errors(exc: ThingModelError) -> list[dict]:
    return [{"path": path, "message": message} for path, message in exc.errors]


def _file_errors(form) -> list[dict]:
    """A refused thing-model file (too large, unknown encoding), shown like a model problem."""
    return [{"path": "", "message": message} for message in form.errors.get("file", [])]


@login_required
def product_create(request):
    if not access.role_may(request.user, access.CHANGE, Product):
        raise PermissionDenied(_("Your role does not create products."))
    form = style(ProductForm(request.POST or None, request.FILES or None, user=request.user))
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            source = form.source().strip() or "{}"
            model = thing_model_parse(source)
            product = services.product_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                unit=form.cleaned_data["unit"],
                thing_model=model,
                user=request.user,
            )
        except ThingModelError as exc:
            errors = _errors(exc)
        except ValidationError as exc:
            for field, messages_ in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Product created."))
            return redirect(product.get_absolute_url())
    elif request.method == "POST":
        errors = _file_errors(form)
    refused = request.method == "POST" and (errors or form.errors)
    return render(
        request,
        "iot/product_form.html",
        {"form": form, "errors": errors},
        status=422 if refused else 200,
    )


@login_required
def product_detail(request, key: str):
    product = selectors.product_get(user=request.user, key=key)
    can_edit = access.can(request.user, access.CHANGE, product)
    errors = []
    initial_text = json.dumps(
        services.thing_model_export(product=product), ensure_ascii=False, indent=2
    )
    form = ThingModelForm(initial={"text": initial_text})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = ThingModelForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                model = thing_model_parse(form.source())
                services.product_set_thing_model(
                    product=product, thing_model=model, user=request.user
                )
            except ThingModelError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, _("Thing model saved."))
                return redirect(product.get_absolute_url())
        else:
            errors = _file_errors(form)
    return render(
        request,
        "iot/product_detail.html",
        {
            "product": product,
            "form": form,
            "errors": errors,
            "can_edit": can_edit,
            "rules": selectors.rule_list(user=request.user, product=product),
            "rule_form": RuleForm(product=product, user=request.user),
            "rule_kinds": RuleKind,
            "devices": selectors.device_list(
                user=request.user, filters={"product": product.product_key}
            )[:20],
            "device_count": selectors.device_list(
                user=request.user, filters={"product": product.product_key}
            ).count(),
        },
        status=422 if request.method == "POST" and (errors or form.errors) else 200,
    )


@login_required
def product_export(request, key: str):
    product = selectors.product_get(user=request.user, key=key)
    response = JsonResponse(
        services.thing_model_export(product=product),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = (
        f'attachment; filename="thing-model-{product.product_key}.json"'
    )
    return response


@login_required
@require_POST
def rule_create(request, key: str):
    product = selectors.product_get(user=request.user, key=key)
    if not access.can_create(request.user, Rule, product=product):
        raise PermissionDenied(_("You may only add rules to your own unit's products."))
    form = RuleForm(request.POST, product=product, user=request.user)
    if form.is_valid():
        try:
            services.rule_create(
                product=product,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                user=request.user,
                **form.rule_fields(),
            )
        except ValidationError as exc:
            messages.error(
                request, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            )
        else:
            messages.success(request, _("Rule added."))
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect(product.get_absolute_url() + "#rules")


@login_required
@require_POST
def rule_action(request, pk: int):
    rule = selectors.rule_get(user=request.user, pk=pk, action=access.CHANGE)
    action = request.POST.get("action")
    if action == "delete":
        services.rule_delete(rule=rule, user=request.user)
    elif action in ("enable", "disable"):
        services.rule_update(rule=rule, enabled=action == "enable", user=request.user)
    return redirect(rule.product.get_absolute_url() + "#rules")
