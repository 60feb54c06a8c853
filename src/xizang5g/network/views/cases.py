"""Coordination case pages: list, opening, detail with its timeline, actions, documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xizang5g.core import access, limits
from xizang5g.core.files import download
from xizang5g.network import forms, selectors, services
from xizang5g.network.choices import CaseState, MitigationKind
from xizang5g.network.models import Cell, CoordinationCase
from xizang5g.network.views.common import base_context, query_filters, show_errors


@login_required
def case_list(request):
    filters = query_filters(request, ("state", "operator"))
    context = base_context(request)
    context.update(
        cases=selectors.case_list(user=request.user, filters=filters),
        filters=filters,
        states=CaseState.choices,
    )
    return render(request, "network/case_list.html", context)


@login_required
def case_new(request):
    user = request.user
    if not access.role_may(user, access.CHANGE, CoordinationCase):
        raise PermissionDenied(_("Your role does not open coordination cases."))
    cells = Cell.objects.restrict(user, access.CHANGE).select_related("site", "operator")
    initial = {}
    study_id = request.GET.get("study")
    if request.GET.get("earth_station"):
        initial["earth_station"] = request.GET["earth_station"]
    if request.GET.get("cells"):
        initial["cells"] = request.GET["cells"].split(",")
    form = forms.CaseForm(request.POST or None, cells=cells, initial=initial)
    if request.method == "POST" and form.is_valid():
        study = None
        try:
            if request.POST.get("study"):
                study_pk = limits.bounded_int(request.POST["study"], field="study", low=1)
                study = selectors.study_get(user=user, pk=study_pk)
            case = services.case_open(
                user=user,
                earth_station=form.cleaned_data["earth_station"],
                cells=list(form.cleaned_data["cells"]),
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                study=study,
            )
        except ValidationError as exc:
            show_errors(request, exc)
        except ValueError as exc:  # InputRejected is one; study_get's lookups raise none
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Coordination case %(n)s opened.") % {"n": case.number})
            return redirect("network:case_detail", case.pk)
    return render(
        request,
        "network/case_new.html",
        {**base_context(request), "form": form, "study_id": study_id},
    )


CASE_STEPS = [
    CaseState.APPLIED,
    CaseState.COMPUTING,
    CaseState.COORDINATING,
    CaseState.IMPLEMENTING,
    CaseState.REVIEWING,
    CaseState.CLOSED,
]


@login_required
def case_detail(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    user = request.user
    steps = []
    reached = CASE_STEPS.index(case.state) if case.state in CASE_STEPS else -1
    for k, state in enumerate(CASE_STEPS):
        steps.append(
            {
                "state": state,
                "label": CaseState(state).label,
                "done": k < reached or case.state == CaseState.CLOSED,
                "current": k == reached,
            }
        )
    is_reg = services.is_regulator(user)
    is_op = services.case_actor_is_operator(user, case)
    cells = list(case.cells.select_related("site", "operator"))
    context = base_context(request)
    context.update(
        case=case,
        steps=steps,
        cells=cells,
        events=case.events.select_related("user"),
        documents=case.documents.all(),
        is_party=access.can(user, access.CHANGE, case),
        is_op=is_op,
        can_advance=(is_reg and case.state in services.CASE_FLOW)
        or (is_op and case.state == CaseState.IMPLEMENTING),
        can_mitigate=(is_reg or is_op)
        and case.state in (CaseState.COMPUTING, CaseState.COORDINATING),
        can_accept=is_reg
        and case.whatif_study_id
        and not case.mitigation_accepted
        and case.state == CaseState.COORDINATING,
        can_reject=is_reg and case.state not in (CaseState.CLOSED, CaseState.REJECTED),
        mitigation_form=forms.MitigationForm(
            initial={"kind": MitigationKind.LNB_FILTER, "rejection_db": 30}
        ),
        comment_form=forms.CommentForm(),
        document_form=forms.DocumentForm(),
        next_state=services.CASE_FLOW.get(case.state),
        state_labels=dict(CaseState.choices),
        base_pairs=selectors.study_pairs(
            study=case.study, earth_station=case.earth_station, cells=cells
        )
        if case.study
        else [],
        whatif_pairs=selectors.study_pairs(
            study=case.whatif_study, earth_station=case.earth_station, cells=cells
        )
        if case.whatif_study
        else [],
    )
    if context["next_state"]:
        context["next_label"] = CaseState(context["next_state"]).label
    return render(request, "network/case_detail.html", context)


@require_POST
@login_required
def case_action(request, pk: int, action: str):
    case = selectors.case_get(user=request.user, pk=pk)
    user = request.user
    try:
        if action == "advance":
            services.case_advance(user=user, case=case, note=request.POST.get("note", ""))
            messages.success(
                request, _("The case moved to “%(s)s”.") % {"s": case.get_state_display()}
            )
        elif action == "mitigation":
            form = forms.MitigationForm(request.POST)
            if not form.is_valid():
                raise ValidationError([f"{k}: {' '.join(v)}" for k, v in form.errors.items()])
            whatif = services.case_propose_mitigation(
                user=user,
                case=case,
                mitigation=form.mitigation(),
                note=form.cleaned_data.get("note", ""),
            )
            if whatif.summary.get("passes"):
                messages.success(request, _("What-if calculation passes."))
            else:
                messages.warning(request, _("What-if calculation still fails."))
        elif action == "accept":
            services.case_accept_mitigation(user=user, case=case, note=request.POST.get("note", ""))
            messages.success(request, _("Mitigation accepted."))
        elif action == "reject":
            services.case_reject(user=user, case=case, reason=request.POST.get("reason", ""))
            messages.info(request, _("The case was rejected."))
        elif action == "comment":
            services.case_comment(user=user, case=case, note=request.POST.get("note", ""))
        elif action == "document":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError(_("Choose a file."))
            services.case_add_document(
                user=user, case=case, title=request.POST.get("title", ""), upload=upload
            )
        else:
            raise PermissionDenied
    except ValidationError as exc:
        show_errors(request, exc)
    return redirect("network:case_detail", pk)


@login_required
def case_document(request, pk: int):
    """A case document, for the case's parties and region-wide readers."""
    document = selectors.case_document_get(user=request.user, pk=pk)
    return download(document.file, document.filename or document.title)
