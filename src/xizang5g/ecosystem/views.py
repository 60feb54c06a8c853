"""Pages of the ecosystem: thin views over selectors and services.

Public (no login): the sign-up page, the list of upcoming events and of public solutions.
Members of an organisation still under review see only its application's status.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xizang5g.core import access, limits
from xizang5g.core.models import AdminDivision, Pilot
from xizang5g.ecosystem import forms, selectors, services
from xizang5g.ecosystem.choices import IntentStatus, OrganisationKind, PostStatus
from xizang5g.ecosystem.models import Demand, Event, Organisation, Solution
from xizang5g.plan.models import Industry

PAGE_SIZE = 20


def _next(request, default: str) -> str:
    """Where to go back to: `next` when it is a path of this site, else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _member(user):
    """The approved organisation the user acts for, or None."""
    org = services.organisation_of(user)
    return org if org is not None and org.is_approved else None


def _waiting(user) -> bool:
    """A member of an organisation not (yet) approved: sees only its application."""
    if access.sees_all(user, Demand):
        return False
    org = services.organisation_of(user)
    return org is not None and not org.is_approved


def _poster_or_403(user):
    org = _member(user)
    if org is None:
        raise PermissionDenied(_("Only members of an approved organisation may do this."))
    return org


def _id(value) -> int | None:
    """A database id from a form or query value (1 to 2**63 - 1), or None."""
    found = limits.db_ids([value or ""])
    return found[0] if found else None


def _filters(request) -> dict:
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "industry": request.GET.get("industry", "")[:64],
        "prefecture": _id(request.GET.get("prefecture")),
        "status": request.GET.get("status", "")
        if request.GET.get("status") in PostStatus.values
        else "",
        "mine": request.GET.get("mine") == "1",
    }


def _filter_choices() -> dict:
    return {
        "industries": Industry.objects.all(),
        "prefectures": AdminDivision.objects.filter(level="prefecture"),
        "statuses": PostStatus.choices,
    }


# --- public ---------------------------------------------------------------------------------------
def signup(request):
    if request.user.is_authenticated:
        return redirect("ecosystem:index")
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "password2"}
        try:
            org = services.organisation_register(data=services.SignUp(**data))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            login(request, org.applicant, backend="xizang5g.core.backends.UnitModelBackend")
            messages.success(request, _("Thank you: the plan office will review your application."))
            return redirect("ecosystem:index")
    return render(request, "ecosystem/signup.html", {"form": form})


def public_events(request):
    return render(
        request, "ecosystem/public_events.html", {"events": selectors.public_events()[:50]}
    )


def public_solutions(request):
    page = Paginator(selectors.public_solutions(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ecosystem/public_solutions.html", {"page": page})


# --- the organisation's home ----------------------------------------------------------------------
@login_required
def index(request):
    user = request.user
    org = services.organisation_of(user)
    context = {"org": org, "stats": selectors.statistics(user=user)}
    if org is not None and not org.is_approved:
        return render(request, "ecosystem/application.html", context)
    if org is not None:
        context.update(
            demands=selectors.demand_list(user=user, filters={"mine": True})[:10],
            solutions=selectors.solution_list(user=user, filters={"mine": True})[:10],
            intents=selectors.intent_list(user=user)[:10],
        )
    else:
        context.update(
            demands=selectors.demand_list(user=user, filters={"status": PostStatus.PUBLISHED})[:10],
            solutions=selectors.solution_list(user=user, filters={"status": PostStatus.PUBLISHED})[
                :10
            ],
            intents=selectors.intent_list(user=user)[:10],
        )
    context["events"] = selectors.event_list(user=user, upcoming=True)[:5]
    context["can_moderate"] = access.sees_all(user, Demand, access.APPROVE)
    if context["can_moderate"]:
        queue = selectors.moderation_queue(user=user)
        context["queue_size"] = sum(q.count() for q in queue.values())
    return render(request, "ecosystem/index.html", context)


# --- demands and solutions ------------------------------------------------------------------------
KINDS = {
    "demand": {
        "model": Demand,
        "form": forms.DemandForm,
        "list": selectors.demand_list,
        "get": selectors.demand_get,
        "create": services.demand_create,
        "update": lambda post, **kw: services.demand_update(demand=post, **kw),
        "suggest": lambda post, user: selectors.suggestions_for_demand(user=user, demand=post),
        "other": "solution",
    },
    "solution": {
        "model": Solution,
        "form": forms.SolutionForm,
        "list": selectors.solution_list,
        "get": selectors.solution_get,
        "create": services.solution_create,
        "update": lambda post, **kw: services.solution_update(solution=post, **kw),
        "suggest": lambda post, user: selectors.suggestions_for_solution(user=user, solution=post),
        "other": "demand",
    },
}


def _post_list(request, kind):
    if _waiting(request.user):
        return redirect("ecosystem:index")
    spec = KINDS[kind]
    filters = _filters(request)
    page = Paginator(spec["list"](user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ecosystem/post_list.html",
        {
            "kind": kind,
            "page": page,
            "filters": filters,
            "can_post": _member(request.user) is not None,
            **_filter_choices(),
        },
    )


def _post_form(request, kind, pk=None):
    spec = KINDS[kind]
    post = None
    if pk is not None:
        post = spec["get"](user=request.user, pk=pk, action=access.CHANGE)
    else:
        _poster_or_403(request.user)
    form = spec["form"](request.POST or None, instance=post)
    if request.method == "POST" and form.is_valid():
        values, tags = form.values_and_tags()
        try:
            if post is None:
                post = spec["create"](user=request.user, values=values, tags=tags)
            else:
                spec["update"](post, user=request.user, values=values, tags=tags)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if "submit" in request.POST:
                services.post_submit(post=post, user=request.user)
                messages.success(request, _("Submitted to the plan office for publication."))
            else:
                messages.success(request, _("Saved as a draft."))
            return redirect(f"ecosystem:{kind}", pk=post.pk)
    return render(request, "ecosystem/post_form.html", {"kind": kind, "form": form, "post": post})


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _post_detail(request, kind, pk):
    spec = KINDS[kind]
    post = spec["get"](user=request.user, pk=pk)
    user = request.user
    org = _member(user)
    mine = org is not None and post.organisation_id == org.pk
    suggestions = []
    if post.is_published and (mine or access.sees_all(user, spec["model"], access.APPROVE)):
        suggestions = spec["suggest"](post, user)
    intents = selectors.intent_list(user=user, filters={kind: post.pk})
    taken = {getattr(i, f"{spec['other']}_id"): i for i in intents}
    for suggestion in suggestions:
        suggestion.intent = taken.get(suggestion.post.pk)
    return render(
        request,
        "ecosystem/post_detail.html",
        {
            "kind": kind,
            "post": post,
            "mine": mine,
            "suggestions": suggestions,
            "intents": intents,
            "can_edit": post.editable and access.can(user, access.CHANGE, post),
            "can_close": post.status == PostStatus.PUBLISHED
            and access.can(user, access.CHANGE, post),
            "can_review": post.status == PostStatus.SUBMITTED
            and access.can(user, access.APPROVE, post),
        },
    )


def _post_step(request, kind, pk, step):
    spec = KINDS[kind]
    action = access.APPROVE if step == "review" else access.CHANGE
    post = spec["get"](user=request.user, pk=pk, action=action)
    try:
        if step == "submit":
            services.post_submit(post=post, user=request.user)
            messages.success(request, _("Submitted to the plan office for publication."))
        elif step == "close":
            services.post_close(post=post, user=request.user)
            messages.success(request, _("Closed: it is no longer suggested."))
        elif request.POST.get("decision") == "publish":
            services.post_publish(post=post, user=request.user)
            messages.success(request, _("Published."))
        elif request.POST.get("decision") == "reject":
            services.post_reject(
                post=post, user=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Rejected; the organisation sees the reason."))
        else:
            messages.error(request, _("Choose to publish or to reject."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(_next(request, reverse(f"ecosystem:{kind}", args=[post.pk])))


def _post_intent(request, kind, pk):
    """Express an intent on a suggested match, from one's own demand or solution."""
    spec = KINDS[kind]
    post = spec["get"](user=request.user, pk=pk, action=access.CHANGE)
    if _poster_or_403(request.user).pk != post.organisation_id:
        raise PermissionDenied(_("Only the organisation that posted it expresses intents from it."))
    other_kind = spec["other"]
    other_id = _id(request.POST.get(other_kind))
    if other_id is None:
        messages.error(request, _("Choose the match to express an intent on."))
        return redirect(f"ecosystem:{kind}", pk=post.pk)
    try:
        other = KINDS[other_kind]["get"](user=request.user, pk=other_id)
    except Http404:
        messages.error(request, _("That match no longer exists or is not visible to you."))
        return redirect(f"ecosystem:{kind}", pk=post.pk)
    pair = {kind: post, other_kind: other}
    score = next(
        (s.score for s in spec["suggest"](post, request.user) if s.post.pk == other.pk), 0.0
    )
    try:
        intent = services.intent_express(
            user=request.user, message=request.POST.get("message", "")[:2000], score=score, **pair
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(f"ecosystem:{kind}", pk=post.pk)
    messages.success(request, _("Intent sent: the other organisation will answer."))
    return redirect("ecosystem:intent", pk=intent.pk)


@login_required
def demand_list(request):
    return _post_list(request, "demand")


@login_required
def solution_list(request):
    return _post_list(request, "solution")


@login_required
def demand_create(request):
    return _post_form(request, "demand")


@login_required
def solution_create(request):
    return _post_form(request, "solution")


@login_required
def demand_edit(request, pk):
    return _post_form(request, "demand", pk)


@login_required
def solution_edit(request, pk):
    return _post_form(request, "solution", pk)


@login_required
def demand_detail(request, pk):
    return _post_detail(request, "demand", pk)


@login_required
def solution_detail(request, pk):
    return _post_detail(request, "solution", pk)


@login_required
@require_POST
def demand_submit(request, pk):
    return _post_step(request, "demand", pk, "submit")


@login_required
@require_POST
def solution_submit(request, pk):
    return _post_step(request, "solution", pk, "submit")


@login_required
@require_POST
def demand_close(request, pk):
    return _post_step(request, "demand", pk, "close")


@login_required
@require_POST
def solution_close(request, pk):
    return _post_step(request, "solution", pk, "close")


@login_required
@require_POST
def demand_review(request, pk):
    return _post_step(request, "demand", pk, "review")


@login_required
@require_POST
def solution_review(request, pk):
    return _post_step(request, "solution", pk, "review")


@login_required
@require_POST
def demand_intent(request, pk):
    return _post_intent(request, "demand", pk)


@login_required
@require_POST
def solution_intent(request, pk):
    return _post_intent(request, "solution", pk)


# --- intents --------------------------------------------------------------------------------------
@login_required
def intent_list(request):
    if _waiting(request.user):
        return redirect("ecosystem:index")
    status = request.GET.get("status", "")
    filters = {"status": status if status in IntentStatus.values else ""}
    page = Paginator(selectors.intent_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ecosystem/intent_list.html",
        {"page": page, "status": filters["status"], "statuses": IntentStatus.choices},
    )


@login_required
def intent_detail(request, pk):
    intent = selectors.intent_get(user=request.user, pk=pk)
    side = (
        intent.side_of(request.user.unit_id)
        if access.can(request.user, access.CHANGE, intent)
        else None
    )
    return render(
        request,
        "ecosystem/intent_detail.html",
        {
            "intent": intent,
            "events": intent.events.select_related("author"),
            "side": side,
            "can_answer": side is not None
            and side != intent.initiator
            and intent.status == IntentStatus.OPEN,
            "can_start": side is not None and intent.status == IntentStatus.ACCEPTED,
            "pilots": Pilot.objects.restrict(request.user)[:200] if side else [],
        },
    )


@login_required
@require_POST
def intent_action(request, pk):
    intent = selectors.intent_get(user=request.user, pk=pk, action=access.CHANGE)
    step = request.POST.get("action", "")
    text = request.POST.get("text", "")[:2000]
    try:
        if step in ("accept", "decline"):
            services.intent_answer(
                intent=intent, user=request.user, accept=step == "accept", text=text
            )
        elif step == "note":
            services.intent_note(intent=intent, user=request.user, text=text)
        elif step == "start":
            pilot = None
            pilot_id = _id(request.POST.get("pilot"))
            if pilot_id is not None:
                pilot = Pilot.objects.restrict(request.user).filter(pk=pilot_id).first()
                if pilot is None:
                    raise ValidationError(_("No such pilot project, or you may not see it."))
            services.intent_start_project(intent=intent, user=request.user, pilot=pilot, text=text)
        else:
            raise ValidationError(_("Unknown step."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("ecosystem:intent", pk=intent.pk)


# --- events ---------------------------------------------------------------------------------------
@login_required
def event_list(request):
    return render(
        request,
        "ecosystem/event_list.html",
        {
            "events": selectors.event_list(user=request.user),
            "can_manage": access.sees_all(request.user, Event, access.CHANGE),
        },
    )


@login_required
def event_detail(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    if not event.is_published and not access.can(request.user, access.CHANGE, event):
        raise Http404(_("No such object, or you may not see it."))
    org = _member(request.user)
    registrations = selectors.registration_list(user=request.user, event=event)
    mine = next((r for r in registrations if org and r.organisation_id == org.pk), None)
    return render(
        request,
        "ecosystem/event_detail.html",
        {
            "event": event,
            "seats": services.seats_taken(event),
            "registrations": registrations,
            "mine": mine,
            "can_register": org is not None and mine is None,
            "can_manage": access.can(request.user, access.CHANGE, event),
        },
    )


@login_required
def event_form(request, pk=None):
    event = None
    if pk is not None:
        event = selectors.event_get(user=request.user, pk=pk, action=access.CHANGE)
    elif not access.can_create(request.user, Event):
        raise PermissionDenied(_("Only the plan office runs events."))
    form = forms.EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_save(user=request.user, values=form.cleaned_data, event=event)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Event saved."))
            return redirect("ecosystem:event", pk=event.pk)
    return render(request, "ecosystem/event_form.html", {"form": form, "event": event})


@login_required
@require_POST
def event_register(request, pk):
    event = selectors.event_get(user=request.user, pk=pk)
    _poster_or_403(request.user)
    attendees = request.POST.get("attendees", "1").strip()
    try:
        services.event_register(
            event=event,
            user=request.user,
            attendees=int(attendees)
            if attendees.isascii() and attendees.isdigit() and len(attendees) < 4
            else 0,
            note=request.POST.get("note", "")[:300],
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Your organisation is registered."))
    return redirect("ecosystem:event", pk=event.pk)


# --- the plan office ------------------------------------------------------------------------------
@login_required
def moderation(request):
    if not access.sees_all(request.user, Demand, access.APPROVE):
        raise PermissionDenied(_("Moderation is the plan office's."))
    return render(
        request, "ecosystem/moderation.html", selectors.moderation_queue(user=request.user)
    )


@login_required
def organisation_detail(request, pk):
    org = selectors.organisation_get(user=request.user, pk=pk)
    return render(
        request,
        "ecosystem/organisation_detail.html",
        {
            "org": org,
            "can_review": access.can(request.user, access.APPROVE, org),
            "sees_contact": access.can(request.user, access.CHANGE, org),
            "demands": selectors.demand_list(user=request.user).filter(organisation=org)[:20],
            "solutions": selectors.solution_list(user=request.user).filter(organisation=org)[:20],
        },
    )


@login_required
@require_POST
def organisation_review(request, pk):
    org = selectors.organisation_get(user=request.user, pk=pk, action=access.APPROVE)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            services.organisation_approve(organisation=org, user=request.user)
            messages.success(request, _("%(org)s is approved.") % {"org": org})
        elif decision == "reject":
            services.organisation_reject(
                organisation=org, user=request.user, reason=request.POST.get("reason", "")[:1000]
            )
            messages.success(request, _("%(org)s is rejected.") % {"org": org})
        else:
            messages.error(request, _("Choose to approve or to reject."))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(_next(request, reverse("ecosystem:organisation", args=[org.pk])))


@login_required
def statistics(request):
    stats = selectors.statistics(user=request.user)
    kinds = [
        {"label": str(label), "value": stats["organisations_by_kind"].get(code, 0)}
        for code, label in OrganisationKind.choices
    ]
    chart = {
        "kinds": kinds,
        "industries": [row["name"] for row in stats["by_industry"]],
        "demands": [row["demands"] for row in stats["by_industry"]],
        "solutions": [row["solutions"] for row in stats["by_industry"]],
        "labels": {"demands": _("Demands"), "solutions": _("Solutions")},
    }
    intents = [
        {"label": label, "value": stats["intents_by_status"].get(code, 0)}
        for code, label in IntentStatus.choices
    ]
    return render(
        request,
        "ecosystem/statistics.html",
        {"stats": stats, "chart": chart, "kinds": kinds, "intents": intents, "orgs": Organisation},
    )
