"""The portal's pages: public ones (no login, light, in the visitor's language, `?lang=` too) and
the logged-in pages of the plan office (news) and the radio regulator (measurement requests)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xizang5g.core import access, registry
from xizang5g.core.clients import client_ip
from xizang5g.core.files import download
from xizang5g.portal import emf, maps, selectors, services
from xizang5g.portal.choices import NewsKind, NewsStatus, RequestStatus
from xizang5g.portal.constants import CASES_PAGE_SIZE, NEWS_PAGE_SIZE
from xizang5g.portal.models import MeasurementRequest, NewsItem

LANGS = {"zh": "zh-hans", "zh-hans": "zh-hans", "bo": "bo", "en": "en"}


def public_page(view):
    """A page for everyone: `?lang=zh|bo|en` chooses the language and keeps it (the same cookie
    Django's set_language writes)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        lang = LANGS.get(request.GET.get("lang", ""))
        if not lang:
            return view(request, *args, **kwargs)
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            lang,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
        return response

    return wrapper


def _page(request, queryset, size):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# --- public pages ------------------------------------------------------------------------------
def home_redirect(request):
    """`/`: the plan dashboard for users, the public portal for everyone else."""
    if request.user.is_authenticated:
        return redirect("plan:dashboard")
    return redirect("portal:home")


@public_page
def home(request):
    sections = [
        {"title": s.title, "template": s.template, "context": s.context}
        for s in registry.public_sections_for(request)
    ]
    context = {
        "goals": selectors.public_goals(),
        "figures": selectors.public_key_figures(),
        "cases": selectors.public_latest_cases(limit=3),
        "news": list(selectors.public_news_list()[:4]),
        "sections": sections,
    }
    return render(request, "portal/home.html", context)


@public_page
def cases(request):
    filters = {k: request.GET.get(k, "") for k in ("q", "industry", "prefecture", "year")}
    page = _page(request, selectors.public_case_list(filters=filters), CASES_PAGE_SIZE)
    context = {"page": page, "filters": filters, **selectors.public_case_filters()}
    return render(request, "portal/cases.html", context)


@public_page
def case_detail(request, pk: int):
    case = selectors.public_case_get(pk=pk)
    series = case["evidence_series"]
    totals = [sum(s["values"][i] for s in series) for i in range(len(case["evidence_days"]))]
    top = max(totals, default=0) or 1
    bars = [
        {"day": day, "value": value, "height": round(100 * value / top)}
        for day, value in zip(case["evidence_days"], totals, strict=True)
    ]
    return render(request, "portal/case_detail.html", {"case": case, "bars": bars})


@public_page
def plan_progress(request):
    prefectures = selectors.public_pilots_by_prefecture()
    context = {
        "goals": selectors.public_goals(),
        "figures": selectors.public_key_figures(),
        "prefectures": prefectures,
        "industries": selectors.public_pilots_by_industry(),
        "map": _prefecture_map(prefectures),
    }
    return render(request, "portal/progress.html", context)


def _prefecture_map(prefectures: list[dict]) -> dict | None:
    """The prefectures shaded by their pilots, for the page's SVG (None without outlines)."""
    outline = maps.prefecture_outline()
    if outline is None:
        return None
    rows = {r["division"].adcode: r for r in prefectures}
    top = max((r["pilots"] for r in prefectures), default=0)
    regions = [
        {
            "path": region.path,
            "fill": maps.shade(rows[region.adcode]["pilots"], top),
            "name": rows[region.adcode]["division"].localized_name,
            "pilots": rows[region.adcode]["pilots"],
        }
        for region in outline.regions
        if region.adcode in rows
    ]
    legend = [{"fill": maps.shade(0, top), "label": "0"}]
    if top:
        legend.append({"fill": maps.shade(top, top), "label": str(top)})
    return {"width": outline.width, "height": outline.height, "regions": regions, "legend": legend}


def _trend_rows(trend: dict, key: str) -> list[dict]:
    """Per month: each operator's value and the bar widths (share of the largest month total)."""
    rows = []
    for i, month in enumerate(trend["months"]):
        parts = [(name, data[key][i]) for name, data in trend["series"].items()]
        rows.append({"month": month, "parts": parts, "total": sum(v for _n, v in parts)})
    top = max((r["total"] for r in rows), default=0) or 1
    for r in rows:
        r["bars"] = [
            {"name": name, "value": value, "width": round(100 * value / top, 1), "n": n}
            for n, (name, value) in enumerate(r["parts"])
        ]
    return rows


@public_page
def coverage(request):
    trend = selectors.public_operator_trend()
    context = {
        "counties": selectors.public_coverage_by_county(),
        "operators": list(trend["series"]),
        "stations": _trend_rows(trend, "stations"),
        "users": _trend_rows(trend, "users"),
        "figures": selectors.public_key_figures(),
    }
    return render(request, "portal/coverage.html", context)


@public_page
def emf_page(request):
    form = {
        k: request.GET.get(k, "")
        for k in ("eirp", "eirp_unit", "distance_m", "f_mhz", "gain_db", "angle_deg")
    }
    form["eirp_unit"] = form["eirp_unit"] or "dbm"
    result, errors = None, {}
    if request.GET.get("eirp") is not None or request.GET.get("distance_m") is not None:
        try:
            result = emf.calculate(
                eirp=form["eirp"],
                eirp_unit=form["eirp_unit"],
                distance_m=form["distance_m"],
                f_mhz=form["f_mhz"],
                gain_db=form["gain_db"],
                angle_deg=form["angle_deg"],
            )
        except emf.CalculatorError as exc:
            errors = exc.errors
    context = {
        "form": form,
        "result": result,
        "errors": errors,
        "counties": selectors.public_emf_by_county(),
    }
    return render(request, "portal/emf.html", context, status=400 if errors else 200)


@public_page
def emf_request(request):
    values = {
        k: request.POST.get(k, "") for k in ("name", "contact", "county", "location", "concern")
    }
    errors, sent = {}, None
    status = 200
    if request.method == "POST":
        try:
            sent = services.request_submit(
                **values,
                ip=client_ip(request),
                user=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            status = 400
        except services.RateLimited:
            errors = {
                "form": _(
                    "Too many requests were sent from your network in the last hour. "
                    "Please try again later or call the regulator."
                )
            }
            status = 429
    context = {
        "values": values,
        "errors": errors,
        "sent": sent,
        "counties": selectors.public_county_choices(),
    }
    return render(request, "portal/emf_request.html", context, status=status)


@public_page
def news(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in NewsKind.values else ""
    page = _page(request, selectors.public_news_list(kind=kind or None), NEWS_PAGE_SIZE)
    return render(
        request, "portal/news.html", {"page": page, "kind": kind, "kinds": NewsKind.choices}
    )


@public_page
def news_detail(request, pk: int):
    item = selectors.public_news_get(pk=pk)
    return render(request, "portal/news_detail.html", {"item": item})


def news_attachment(request, pk: int):
    attachment = selectors.public_attachment_get(pk=pk)
    return download(attachment.file, attachment.filename)


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Allow: /portal/",
        "Disallow: /portal/requests/",
        "Disallow: /portal/manage/",
        "Disallow: /accounts/",
        "Disallow: /api/",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# --- the regulator's queue ---------------------------------------------------------------------
def _may_handle(user):
    if not access.role_may(user, access.CHANGE, MeasurementRequest):
        raise PermissionDenied


@login_required
def requests(request):
    _may_handle(request.user)
    status = request.GET.get("status", "")
    status = status if status in RequestStatus.values else ""
    page = _page(request, selectors.request_list(user=request.user, status=status or None), 25)
    return render(
        request,
        "portal/requests.html",
        {"page": page, "status": status, "statuses": RequestStatus.choices},
    )


@login_required
def request_detail(request, pk: int):
    # 404 for those who may not read it, as for any object (the access rule)
    mr = selectors.request_get(user=request.user, pk=pk)
    errors = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "assign":
                assignee = None
                if request.POST.get("assignee"):
                    assignee = (
                        selectors.request_assignees(user=request.user)
                        .filter(pk=request.POST["assignee"])
                        .first()
                        if request.POST["assignee"].isdigit()
                        else None
                    )
                    if assignee is None:
                        raise ValidationError({"assignee": _("Please choose a person.")})
                services.request_assign(mr=mr, user=request.user, assignee=assignee)
            elif action == "answer":
                services.request_answer(
                    mr=mr, user=request.user, answer=request.POST.get("answer", "")
                )
            elif action == "close":
                services.request_close(mr=mr, user=request.user)
            else:
                raise ValidationError({"action": _("Unknown action.")})
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        else:
            return redirect("portal:request", pk=mr.pk)
    context = {
        "mr": mr,
        "errors": errors,
        "assignees": selectors.request_assignees(user=request.user),
    }
    return render(request, "portal/request_detail.html", context, status=400 if errors else 200)


# --- the plan office's news ----------------------------------------------------------------------
def _may_write_news(user):
    if not access.role_may(user, access.CHANGE, NewsItem):
        raise PermissionDenied


@login_required
def manage(request):
    _may_write_news(request.user)
    page = _page(request, selectors.news_manage_list(user=request.user), 25)
    return render(request, "portal/manage.html", {"page": page})


@login_required
def news_edit(request, pk: int | None = None):
    if pk is None:
        _may_write_news(request.user)
    item = selectors.news_get(user=request.user, pk=pk, action=access.CHANGE) if pk else None
    values = {
        "kind": item.kind if item else NewsKind.NEWS,
        "title": item.title if item else "",
        "summary": item.summary if item else "",
        "body": item.body if item else "",
    }
    errors = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            if item is None:
                item = services.news_create(user=request.user, **values)
            else:
                services.news_update(item=item, user=request.user, **values)
            if request.FILES.get("file"):
                services.news_attachment_add(
                    item=item, user=request.user, upload=request.FILES["file"]
                )
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        else:
            return redirect("portal:news_edit", pk=item.pk)
    context = {"item": item, "values": values, "errors": errors, "kinds": NewsKind.choices}
    return render(request, "portal/news_edit.html", context, status=400 if errors else 200)


@login_required
def manage_file(request, pk: int):
    """An attachment for the plan office, whether its item is published or not."""
    attachment = selectors.attachment_get(user=request.user, pk=pk)
    return download(attachment.file, attachment.filename)


@login_required
@require_POST
def news_publish(request, pk: int):
    item = selectors.news_get(user=request.user, pk=pk, action=access.CHANGE)
    if item.status == NewsStatus.PUBLISHED:
        services.news_unpublish(item=item, user=request.user)
    else:
        services.news_publish(item=item, user=request.user)
    return redirect("portal:manage")
