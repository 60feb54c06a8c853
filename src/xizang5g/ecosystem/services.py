"""Writes of the ecosystem: sign-up and review of organisations, demands and solutions with their
moderation, intents and their timeline, events and registrations."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from xizang5g.core import access
from xizang5g.core.audit import acting_as
from xizang5g.core.choices import Role, UnitKind
from xizang5g.core.models import Pilot, Unit, User
from xizang5g.core.services import apply_changes, save_validated
from xizang5g.ecosystem import creditcode
from xizang5g.ecosystem.choices import (
    IntentAction,
    IntentStatus,
    OrganisationKind,
    OrganisationStatus,
    PostStatus,
    Side,
)
from xizang5g.ecosystem.models import (
    Demand,
    Event,
    Intent,
    IntentEvent,
    Organisation,
    Registration,
    Solution,
)

UNIT_KIND = {
    OrganisationKind.ENTERPRISE: UnitKind.ENTERPRISE,
    OrganisationKind.OPERATOR: UnitKind.OPERATOR,
    OrganisationKind.UNIVERSITY: UnitKind.INSTITUTION,
    OrganisationKind.INVESTOR: UnitKind.ENTERPRISE,
    OrganisationKind.PARK: UnitKind.PARK,
}
POST_FIELDS = ("title", "description")
DEMAND_FIELDS = (*POST_FIELDS, "budget_min_wan", "budget_max_wan", "wanted_by")
SOLUTION_FIELDS = (*POST_FIELDS, "maturity", "price_from_wan", "references", "is_public")
TAGS = ("industries", "scenarios", "prefectures")


# --- organisations ------------------------------------------------------------------------------
def organisation_of(user) -> Organisation | None:
    """The organisation `user` acts for: its unit's once approved, the one it applied for before."""
    if user is None or not user.is_authenticated:
        return None
    if user.unit_id is not None:
        found = Organisation.objects.filter(unit_id=user.unit_id).first()
        if found is not None:
            return found
    return Organisation.objects.filter(applicant=user).first()


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            {"phone": _("Enter a valid phone number (mobile or with area code).")}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class SignUp:
    name: str
    kind: str
    credit_code: str
    prefecture: object  # core.AdminDivision (prefecture level)
    contact_name: str
    email: str
    phone: str
    username: str
    password: str
    introduction: str = ""


def organisation_register(*, data: SignUp) -> Organisation:
    """Public sign-up: the organisation (pending review) and its first member's account, which
    may log in at once but sees only the application's status until the plan office approves."""
    code = creditcode.normalise(data.credit_code)
    errors = {}
    message = creditcode.problem(code)
    if message:
        errors["credit_code"] = [message]
    elif Organisation.objects.filter(credit_code=code).exists():
        errors["credit_code"] = [_("An organisation with this credit code has already signed up.")]
    if Organisation.objects.filter(name=data.name.strip()).exists():
        errors["name"] = [_("An organisation of this name has already signed up.")]
    if User.objects.filter(username__iexact=data.username).exists():
        errors["username"] = [_("This user name is taken; choose another.")]
    try:
        phone = _phone(data.phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        phone = data.phone
    user = User(
        username=data.username,
        role=Role.UNIT_EDITOR,
        full_name=data.contact_name,
        email=data.email,
    )
    try:
        validate_password(data.password, user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    org = Organisation(
        name=data.name.strip(),
        kind=data.kind,
        credit_code=code,
        prefecture=data.prefecture,
        contact_name=data.contact_name.strip(),
        email=data.email,
        phone=phone,
        introduction=data.introduction,
    )
    org.full_clean(exclude=["applicant", "unit"])
    with transaction.atomic():
        user.set_password(data.password)
        user.full_clean(exclude=["password"])
        with acting_as(None):
            user.save()
        org.applicant = user
        with acting_as(user):
            org.save()
    return org


def _unit_for(org: Organisation) -> Unit:
    """The unit an approved organisation acts as: an existing unit of the same name (an operator
    the plan already knows), else a new one."""
    existing = (
        Unit.objects.filter(name=org.name).first()
        or Unit.objects.filter(short_name=org.name).first()
    )
    if existing is not None and not hasattr(existing, "organisation"):
        return existing
    if existing is not None:
        raise ValidationError(
            _("The unit %(u)s already belongs to another organisation.") % {"u": existing}
        )
    return Unit(
        code=slugify(f"org-{org.credit_code}"),
        name=org.name,
        kind=UNIT_KIND[org.kind],
        division=org.prefecture,
    )


def organisation_approve(*, organisation: Organisation, user) -> Organisation:
    access.require(user, access.APPROVE, organisation)
    if organisation.status == OrganisationStatus.APPROVED:
        return organisation
    with transaction.atomic():
        unit = _unit_for(organisation)
        if unit.pk is None:
            save_validated(unit, user=user)
        organisation.unit = unit
        organisation.status = OrganisationStatus.APPROVED
        organisation.reject_reason = ""
        organisation.reviewed_at = timezone.now()
        save_validated(organisation, user=user)
        applicant = organisation.applicant
        if applicant is not None and applicant.unit_id is None:
            applicant.unit = unit
            applicant.role = Role.UNIT_EDITOR
            with acting_as(user):
                applicant.save(update_fields=["unit", "role"])
    return organisation


def organisation_reject(*, organisation: Organisation, user, reason: str) -> Organisation:
    access.require(user, access.APPROVE, organisation)
    if not reason.strip():
        raise ValidationError({"reject_reason": _("Say why the application is rejected.")})
    if organisation.status != OrganisationStatus.PENDING:
        raise ValidationError(_("Only a pending application can be rejected."))
    organisation.status = OrganisationStatus.REJECTED
    organisation.reject_reason = reason.strip()
    organisation.reviewed_at = timezone.now()
    return save_validated(organisation, user=user)


def member_create(
    *,
    organisation: Organisation,
    user,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
) -> User:
    """A further account for an approved organisation (by one of its members or the plan office)."""
    access.require(user, access.CHANGE, organisation)
    if not organisation.is_approved:
        raise ValidationError(_("Only an approved organisation can add members."))
    member = User(
        username=username,
        role=Role.UNIT_EDITOR,
        unit=organisation.unit,
        full_name=full_name,
        email=email,
    )
    validate_password(password, member)
    member.set_password(password)
    member.full_clean(exclude=["password"])
    with acting_as(user):
        member.save()
    return member


# --- demands and solutions ----------------------------------------------------------------------
def _poster(user) -> Organisation:
    org = organisation_of(user)
    if org is None or not org.is_approved:
        raise PermissionDenied(
            _("Only members of an approved organisation may post demands and solutions.")
        )
    return org


def _set_tags(post, tags: dict) -> None:
    unknown = set(tags) - set(TAGS)
    if unknown:
        raise ValueError(f"unknown tags: {sorted(unknown)}")
    for name, values in tags.items():
        if values is not None:
            getattr(post, name).set(values)


def _check_tags(tags: dict) -> None:
    if not tags.get("industries"):
        raise ValidationError({"industries": _("Choose at least one industry.")})
    bad = [p for p in tags.get("prefectures") or () if p.level != "prefecture"]
    if bad:
        raise ValidationError({"prefectures": _("Choose prefectures, not counties.")})


def _post_create(model, fields, *, user, organisation, values: dict, tags: dict):
    org = organisation or _poster(user)
    if not org.is_approved:
        raise PermissionDenied(_("Only an approved organisation may post."))
    access.require_create(user, model, organisation=org)
    _check_tags(tags)
    post = model(organisation=org)
    apply_changes(post, values, fields)
    with transaction.atomic():
        save_validated(post, user=user)
        with acting_as(user):
            _set_tags(post, tags)
    return post


def _post_update(post, fields, *, user, values: dict, tags: dict):
    access.require(user, access.CHANGE, post)
    if not post.editable:
        raise ValidationError(
            _("Only a draft or a rejected post can be edited; this one is %(s)s.")
            % {"s": post.get_status_display()}
        )
    if tags:
        _check_tags({"industries": post.industries.all(), **tags})
    apply_changes(post, values, fields)
    with transaction.atomic():
        save_validated(post, user=user)
        with acting_as(user):
            _set_tags(post, tags)
    return post


def demand_create(
    *, user, values: dict, tags: dict, organisation: Organisation | None = None
) -> Demand:
    return _post_create(
        Demand, DEMAND_FIELDS, user=user, organisation=organisation, values=values, tags=tags
    )


def demand_update(*, demand: Demand, user, values: dict, tags: dict | None = None) -> Demand:
    return _post_update(demand, DEMAND_FIELDS, user=user, values=values, tags=tags or {})


def solution_create(
    *, user, values: dict, tags: dict, organisation: Organisation | None = None
) -> Solution:
    return _post_create(
        Solution, SOLUTION_FIELDS, user=user, organisation=organisation, values=values, tags=tags
    )


def solution_update(
    *, solution: Solution, user, values: dict, tags: dict | None = None
) -> Solution:
    return _post_update(solution, SOLUTION_FIELDS, user=user, values=values, tags=tags or {})


def post_submit(*, post, user):
    """The organisation hands a draft (or a corrected rejected post) to the plan office."""
    access.require(user, access.CHANGE, post)
    if not post.editable:
        raise ValidationError(_("Only a draft or a rejected post can be submitted."))
    post.status = PostStatus.SUBMITTED
    post.submitted_at = timezone.now()
    return save_validated(post, user=user)


def post_publish(*, post, user):
    access.require(user, access.APPROVE, post)
    if post.status != PostStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted post can be published."))
    post.status = PostStatus.PUBLISHED
    post.reject_reason = ""
    post.published_at = timezone.now()
    return save_validated(post, user=user)


def post_reject(*, post, user, reason: str):
    access.require(user, access.APPROVE, post)
    if post.status != PostStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted post can be rejected."))
    if not reason.strip():
        raise ValidationError({"reject_reason": _("Say why the post is rejected.")})
    post.status = PostStatus.REJECTED
    post.reject_reason = reason.strip()
    return save_validated(post, user=user)


def post_close(*, post, user):
    """The organisation (or the plan office) closes a published post: it is no longer matched."""
    access.require(user, access.CHANGE, post)
    if post.status == PostStatus.CLOSED:
        return post
    post.status = PostStatus.CLOSED
    return save_validated(post, user=user)


# --- intents ------------------------------------------------------------------------------------
def _event(intent, *, action, user, side="", text=""):
    entry = IntentEvent(intent=intent, action=action, author=user, side=side, text=text)
    return save_validated(entry, user=user)


def intent_express(
    *, user, demand: Demand, solution: Solution, message: str = "", score: float = 0
) -> Intent:
    """One side of a match asks the other: the user's organisation must own one of the two, and
    both must be published."""
    org = _poster(user)
    if org.pk == demand.organisation_id:
        side = Side.DEMAND
    elif org.pk == solution.organisation_id:
        side = Side.SOLUTION
    else:
        raise PermissionDenied(_("Your organisation owns neither the demand nor the solution."))
    access.require(user, access.VIEW, demand)
    access.require(user, access.VIEW, solution)
    if not (demand.is_published and solution.is_published):
        raise ValidationError(_("Both the demand and the solution must be published."))
    if demand.organisation_id == solution.organisation_id:
        raise ValidationError(_("An organisation cannot match with itself."))
    if Intent.objects.filter(demand=demand, solution=solution).exists():
        raise ValidationError(_("An intent between this demand and this solution exists already."))
    intent = Intent(
        demand=demand,
        solution=solution,
        initiator=side,
        message=message.strip(),
        score=round(score, 1),
    )
    try:
        with transaction.atomic():
            save_validated(intent, user=user)
            _event(intent, action=IntentAction.EXPRESSED, user=user, side=side, text=intent.message)
    except IntegrityError as exc:
        raise ValidationError(
            _("An intent between this demand and this solution exists already.")
        ) from exc
    return intent


def _side(intent: Intent, user) -> str:
    access.require(user, access.CHANGE, intent)
    side = intent.side_of(getattr(user, "unit_id", None))
    if side is None:
        raise PermissionDenied(_("Only the two organisations of an intent act on it."))
    return side


def intent_answer(*, intent: Intent, user, accept: bool, text: str = "") -> Intent:
    """The other side accepts or declines."""
    side = _side(intent, user)
    if side == intent.initiator:
        raise PermissionDenied(
            _("The other organisation answers an intent, not the one that expressed it.")
        )
    if intent.status != IntentStatus.OPEN:
        raise ValidationError(_("This intent has been answered already."))
    intent.status = IntentStatus.ACCEPTED if accept else IntentStatus.DECLINED
    intent.answered_at = timezone.now()
    with transaction.atomic():
        save_validated(intent, user=user)
        _event(
            intent,
            action=IntentAction.ACCEPTED if accept else IntentAction.DECLINED,
            user=user,
            side=side,
            text=text.strip(),
        )
    return intent


def intent_note(*, intent: Intent, user, text: str) -> IntentEvent:
    side = _side(intent, user)
    if not text.strip():
        raise ValidationError({"text": _("Write a note.")})
    return _event(intent, action=IntentAction.NOTE, user=user, side=side, text=text.strip())


def intent_start_project(
    *, intent: Intent, user, pilot: Pilot | None = None, text: str = ""
) -> Intent:
    """An accepted intent became a project (counted in the statistics), optionally a plan pilot."""
    side = _side(intent, user)
    if intent.status != IntentStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted intent can start a project."))
    if pilot is not None:
        access.require(user, access.VIEW, pilot)
    intent.status = IntentStatus.STARTED
    intent.started_at = timezone.now()
    intent.pilot = pilot
    with transaction.atomic():
        save_validated(intent, user=user)
        _event(intent, action=IntentAction.STARTED, user=user, side=side, text=text.strip())
    return intent


# --- events -------------------------------------------------------------------------------------
EVENT_FIELDS = (
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "place",
    "prefecture",
    "description",
    "capacity",
    "is_published",
    "is_demo",
)


def event_save(*, user, values: dict, event: Event | None = None) -> Event:
    if event is None:
        access.require_create(user, Event)
        event = Event()
    else:
        access.require(user, access.CHANGE, event)
    apply_changes(event, values, EVENT_FIELDS)
    if event.pk and event.capacity is not None and event.capacity < seats_taken(event):
        raise ValidationError({"capacity": _("More seats are taken than this capacity.")})
    return save_validated(event, user=user)


def seats_taken(event: Event) -> int:
    return event.registrations.aggregate(n=Sum("attendees"))["n"] or 0


def event_register(*, event: Event, user, attendees: int = 1, note: str = "") -> Registration:
    """Register the user's (approved) organisation: once per organisation, within capacity."""
    org = _poster(user)
    access.require(user, access.VIEW, event)
    access.require_create(user, Registration, organisation=org)
    if not event.is_published:
        raise ValidationError(_("This event is not open for registration."))
    if event.starts_at <= timezone.now():
        raise ValidationError(_("This event has started; registration is closed."))
    with transaction.atomic():
        # Lock the event row so that two registrations cannot both take the last seats.
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if Registration.objects.filter(event=locked, organisation=org).exists():
            raise ValidationError(_("Your organisation is registered for this event already."))
        free = locked.capacity - seats_taken(locked)
        if attendees > free:
            raise ValidationError(
                {"attendees": _("Only %(free)d seats are left.") % {"free": max(free, 0)}}
            )
        registration = Registration(
            event=locked, organisation=org, attendees=attendees, note=note.strip()
        )
        try:
            with transaction.atomic():
                save_validated(registration, user=user)
        except IntegrityError as exc:
            raise ValidationError(
                _("Your organisation is registered for this event already.")
            ) from exc
    return registration


def registration_cancel(*, registration: Registration, user) -> None:
    access.require(user, access.CHANGE, registration)
    with acting_as(user):
        registration.delete()
