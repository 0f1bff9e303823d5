"""Ferieanmodninger: the institution asks guardians whether their children come in a holiday period.

Staff with the komme/gå permission at an institution ask the guardians of chosen groups about a
period; guardians answer per child per open day (coming or not, and when) until the deadline; staff
see the answers and who has not answered, and remind those who have not. Reads load in a fixed number
of queries; reminders are written set-based and are safe to send twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions import access as core_access
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import ChildAccess, Viewer
from kinabog.institutions.models import (
    Group,
    Institution,
    InstitutionProfile,
    Membership,
    Permission,
    ProfileRole,
    Relation,
)
from kinabog.notifications.models import Area, Notification

from . import access, queries
from .models import VacationRequest, VacationResponse, VacationResponseDay
from .opening import open_days

MAX_PERIOD_DAYS = 92
EVENT_TYPE = "VacationResponseRequired"


@dataclass(frozen=True)
class DayAnswer:
    """A guardian's answer for one day: coming or not, and when."""

    date: date
    is_coming: bool
    entry_time: time | None = None
    exit_time: time | None = None


# --- Who may handle requests ---------------------------------------------------------------------------


def may_handle(viewer: Viewer, institution_id: int) -> bool:
    """Staff with the komme/gå permission (or overviews) at the institution ask and follow up."""
    return institution_id in viewer.employee_institution_ids and (
        viewer.has_permission(institution_id, Permission.HANDLE_PRESENCE)
        or viewer.has_permission(institution_id, Permission.SEE_OVERVIEWS)
    )


def staff_institutions(viewer: Viewer) -> list[Institution]:
    ids = [i for i in viewer.employee_institution_ids if may_handle(viewer, i)]
    if not ids:
        return []
    return list(Institution.objects.filter(id__in=ids, kind__in=access.PRESENCE_KINDS).order_by("name"))


def _staff_institution(viewer: Viewer, institution_id: int) -> Institution:
    if not may_handle(viewer, institution_id):
        raise NotFound
    institution = Institution.objects.filter(pk=institution_id, kind__in=access.PRESENCE_KINDS).first()
    if institution is None:
        raise NotFound
    return institution


def _group_limited(viewer: Viewer, institution: Institution) -> bool:
    """Where komme/gå is scoped to groups, staff other than the leader handle only their own groups."""
    return institution.presence_scoped_to_groups and institution.id not in viewer.leader_institution_ids


def choosable_groups(viewer: Viewer, institution_id: int) -> list[Group]:
    """The groups a staff member may ask: the institution's groups (their own where scoped)."""
    institution = _staff_institution(viewer, institution_id)
    groups = (
        Group.objects.filter(
            institution_id=institution.id,
            memberships__profile__role__in=[ProfileRole.CHILD, ProfileRole.PUPIL],
            memberships__profile__is_active=True,
        )
        .distinct()
        .order_by("kind", "name")
    )
    if _group_limited(viewer, institution):
        groups = groups.filter(id__in=viewer.group_ids)
    return list(groups)


# --- Staff: create, list, answers, reminders -----------------------------------------------------------


@transaction.atomic
def create_request(
    viewer: Viewer,
    institution_id: int,
    *,
    title: str,
    start_date: date,
    end_date: date,
    deadline: date,
    note: str = "",
    group_ids: Iterable[int],
    presence_times_required: bool = True,
) -> VacationRequest:
    """Ask the guardians of the chosen groups about a period; they are notified after commit."""
    institution = _staff_institution(viewer, institution_id)
    title = title.strip()
    today = timezone.localdate()
    if not title:
        raise InvalidInput(_("Give the request a title, e.g. 'Summer holiday'."), field="title")
    if end_date < start_date:
        raise InvalidInput(_("The last day must be on or after the first day."), field="end_date")
    if start_date < today:
        raise InvalidInput(_("The period cannot start in the past."), field="start_date")
    if (end_date - start_date).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(_("A request can cover at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}, "end_date")
    if deadline < today or deadline > start_date:
        raise InvalidInput(_("The deadline must be between today and the first day of the period."), field="deadline")
    wanted = set(group_ids)
    groups = [g for g in choosable_groups(viewer, institution.id) if g.id in wanted]
    if not wanted or len(groups) != len(wanted):
        raise InvalidInput(_("Choose one or more of the institution's groups."), field="groups")
    if not open_days(institution.id, start_date, end_date):
        raise InvalidInput(_("The institution is closed on every day of the period."), field="start_date")
    creator = next((p.id for p in viewer.profiles if p.institution_id == institution.id), None)
    request = VacationRequest.objects.create(
        institution=institution,
        title=title[:160],
        start_date=start_date,
        end_date=end_date,
        deadline=deadline,
        note_to_guardians=note.strip()[:4000],
        presence_times_required=presence_times_required,
        created_by_id=creator,
    )
    request.groups.set(groups)
    audit.record(
        actor_id=viewer.user_id, action="create_vacation_request", obj=request, assurance_level=viewer.assurance_level
    )
    request_id = request.id
    transaction.on_commit(lambda: notify_guardians(request_id, reminder=False))
    return request


def requests_for_institution(viewer: Viewer, institution_id: int) -> list[VacationRequest]:
    """The institution's requests, newest period first, with their groups and number of answers."""
    institution = _staff_institution(viewer, institution_id)
    return list(
        VacationRequest.objects.filter(institution_id=institution.id)
        .annotate(answer_count=Count("responses", distinct=True))
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .order_by("-start_date", "-id")
    )


def get_request_for_staff(viewer: Viewer, request_id: int) -> VacationRequest:
    request = (
        VacationRequest.objects.select_related("institution")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.order_by("name")))
        .filter(pk=request_id)
        .first()
    )
    if request is None or not may_handle(viewer, request.institution_id):
        raise NotFound
    return request


@dataclass
class AnswerRow:
    profile: InstitutionProfile
    display_name: str
    group_names: list[str]
    response: VacationResponse | None
    days: dict[date, VacationResponseDay] = field(default_factory=dict)

    @property
    def answered(self) -> bool:
        return self.response is not None


@dataclass
class RequestAnswers:
    request: VacationRequest
    days: list[date]
    rows: list[AnswerRow]

    @property
    def answered(self) -> list[AnswerRow]:
        return [r for r in self.rows if r.answered]

    @property
    def unanswered(self) -> list[AnswerRow]:
        return [r for r in self.rows if not r.answered]

    def coming_on(self, day: date) -> int:
        return sum(1 for r in self.rows if (d := r.days.get(day)) is not None and d.is_coming)

    @property
    def coming_per_day(self) -> list[tuple[date, int]]:
        return [(day, self.coming_on(day)) for day in self.days]


def _request_children(request: VacationRequest) -> list[InstitutionProfile]:
    """Children of the request's groups at its institution, each with their groups."""
    group_ids = [g.id for g in request.groups.all()]
    return list(
        queries.child_profiles()
        .filter(institution_id=request.institution_id, memberships__group_id__in=group_ids)
        .distinct()
        .prefetch_related(
            Prefetch(
                "memberships", queryset=Membership.objects.select_related("group").only("group__name", "profile_id")
            )
        )
        .order_by("person__first_name", "person__last_name", "id")
    )


def request_answers(viewer: Viewer, request_id: int) -> RequestAnswers:
    """Every child the request asks about, with the answer per day or none yet."""
    request = get_request_for_staff(viewer, request_id)
    children = [
        p
        for p in _request_children(request)
        if access.can_see_day(viewer, queries.facts_for(p, [m.group_id for m in p.memberships.all()]))
    ]
    responses = {
        r.child_id: r
        for r in VacationResponse.objects.filter(request=request, child_id__in=[c.id for c in children])
        .select_related("answered_by")
        .prefetch_related("days")
    }
    rows = []
    for profile in children:
        response = responses.get(profile.id)
        rows.append(
            AnswerRow(
                profile=profile,
                display_name=institution_queries.display_name(viewer, profile.person, {profile.institution_id}),
                group_names=[m.group.name for m in profile.memberships.all()],
                response=response,
                days={d.date: d for d in response.days.all()} if response else {},
            )
        )
    return RequestAnswers(request, open_days(request.institution_id, request.start_date, request.end_date), rows)


@transaction.atomic
def send_reminder(viewer: Viewer, request_id: int) -> int:
    """Remind the guardians who have not answered. Returns how many notifications were written."""
    request = get_request_for_staff(viewer, request_id)
    if timezone.localdate() > request.deadline:
        raise InvalidInput(_("The deadline has passed, so guardians can no longer answer."))
    written = notify_guardians(request.id, reminder=True)
    audit.record(
        actor_id=viewer.user_id, action="remind_vacation_request", obj=request, assurance_level=viewer.assurance_level
    )
    return written


def notify_guardians(request_id: int, *, reminder: bool) -> int:
    """One notification per guardian per unanswered child: set-based and safe to run twice.

    The first notice is sent once per request; a reminder at most once per day.
    """
    request = VacationRequest.objects.select_related("institution__municipality").filter(pk=request_id).first()
    if request is None:
        return 0
    children = _request_children(request)
    answered = set(VacationResponse.objects.filter(request=request).values_list("child_id", flat=True))
    waiting = {c.person_id: c for c in children if c.id not in answered}
    if not waiting:
        return 0
    extends = request.institution.municipality.non_custody_extended_access
    relations = Relation.objects.filter(child_id__in=list(waiting)).values_list(
        "guardian_id", "child_id", "kind", "has_custody", "extended_access"
    )
    pairs = [
        (guardian_id, waiting[child_id])
        for guardian_id, child_id, kind, custody, extended in relations
        if core_access.guardian_access(
            kind=kind, has_custody=custody, extended_access=extended, municipality_extends=extends
        )
        >= ChildAccess.DAILY
    ]
    if not pairs:
        return 0
    stamp = timezone.localdate().isoformat() if reminder else "first"
    keys = {f"vacation:{request.id}:{child.id}:{stamp}" for _g, child in pairs}
    existing = set(
        Notification.objects.filter(person_id__in={g for g, _c in pairs}, dedupe_key__in=keys).values_list(
            "person_id", "dedupe_key"
        )
    )
    guardian_profiles = dict(
        InstitutionProfile.objects.filter(
            person_id__in={g for g, _c in pairs}, institution_id=request.institution_id, role="guardian"
        ).values_list("person_id", "id")
    )
    now = timezone.now()
    rows = []
    for guardian_id, child in pairs:
        key = f"vacation:{request.id}:{child.id}:{stamp}"
        if (guardian_id, key) in existing:
            continue
        rows.append(
            Notification(
                person_id=guardian_id,
                profile_id=guardian_profiles.get(guardian_id),
                area=Area.PRESENCE,
                event_type=EVENT_TYPE,
                title=request.title[:255],
                sender_name=request.institution.name[:200],
                url=_answer_url(request.id, child.id),
                created_at=now,
                dedupe_key=key,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)  # a concurrent run may have written some
    return len(rows)


def _answer_url(request_id: int, child_id: int) -> str:
    try:
        return reverse("presence:vacation_answer", args=[request_id, child_id])
    except NoReverseMatch:  # the pages are not mounted (e.g. an API-only deployment)
        return ""


# --- Guardians: the requests to answer, and answering ---------------------------------------------------


@dataclass
class GuardianRequest:
    request: VacationRequest
    child: InstitutionProfile
    child_name: str
    response: VacationResponse | None
    days: list[date] = field(default_factory=list)
    answers: dict[date, VacationResponseDay] = field(default_factory=dict)

    @property
    def is_editable(self) -> bool:
        return timezone.localdate() <= self.request.deadline

    @property
    def is_missing_answer(self) -> bool:
        return self.response is None


def _acting_children(viewer: Viewer, child_ids: Iterable[int] | None = None) -> list[InstitutionProfile]:
    """The guardian's children (custody or daily care) at komme/gå institutions, with their groups."""
    if viewer.portal_role != "guardian":
        return []
    acting = [c.child_id for c in viewer.children.values() if c.access >= ChildAccess.DAILY]
    if not acting:
        return []
    profiles = queries.child_profiles().filter(person_id__in=acting)
    if child_ids is not None:
        profiles = profiles.filter(id__in=list(child_ids))
    return list(
        profiles.prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.only("group_id", "profile_id"))
        ).order_by("person__birth_date", "id")
    )


def requests_for_guardian(
    viewer: Viewer, child_ids: Iterable[int] | None = None, *, include_past: bool = False
) -> list[GuardianRequest]:
    """Each request that asks about one of the guardian's children, per child (five queries)."""
    children = _acting_children(viewer, child_ids)
    if not children:
        return []
    group_children: dict[int, list[InstitutionProfile]] = defaultdict(list)
    for child in children:
        for membership in child.memberships.all():
            group_children[membership.group_id].append(child)
    requests = VacationRequest.objects.filter(groups__in=list(group_children)).distinct()
    if not include_past:
        requests = requests.filter(end_date__gte=timezone.localdate())
    requests = requests.select_related("institution").prefetch_related("groups").order_by("start_date", "id")
    request_list = list(requests)
    responses = {
        (r.request_id, r.child_id): r
        for r in VacationResponse.objects.filter(
            request__in=[r.id for r in request_list], child_id__in=[c.id for c in children]
        )
    }
    result = []
    for request in request_list:
        seen: set[int] = set()
        for group in request.groups.all():
            for child in group_children.get(group.id, []):
                if child.id in seen or child.institution_id != request.institution_id:
                    continue
                seen.add(child.id)
                result.append(
                    GuardianRequest(
                        request=request,
                        child=child,
                        child_name=institution_queries.display_name(viewer, child.person, {child.institution_id}),
                        response=responses.get((request.id, child.id)),
                    )
                )
    return result


def get_request_for_guardian(viewer: Viewer, request_id: int, child_id: int) -> GuardianRequest:
    """One request for one of the guardian's children, with the days to answer and the answer so far."""
    matches = [r for r in requests_for_guardian(viewer, [child_id], include_past=True) if r.request.id == request_id]
    if not matches:
        raise NotFound
    found = matches[0]
    found.days = open_days(found.request.institution_id, found.request.start_date, found.request.end_date)
    if found.response is not None:
        found.answers = {d.date: d for d in found.response.days.all()}
    return found


@transaction.atomic
def answer_request(
    viewer: Viewer, request_id: int, child_id: int, days: list[DayAnswer], comment: str = ""
) -> VacationResponse:
    """A guardian answers for one child: every open day of the period, coming or not, and when.

    Answering again replaces the earlier answer, until the deadline. Nothing is written when any
    day is wrong.
    """
    found = get_request_for_guardian(viewer, request_id, child_id)
    request = found.request
    if not found.is_editable:
        raise InvalidInput(
            _("The deadline for answering was %(date)s. Contact the institution to change the answer.")
            % {"date": date_format(request.deadline, "j. F Y")}
        )
    _validate_days(request, found.days, days)
    response = _locked_response(request.id, child_id)
    response.answered_by_id = viewer.person_id
    response.comment = comment.strip()[:250]
    response.save(update_fields=["answered_by", "comment", "updated_at"])
    VacationResponseDay.objects.filter(response=response).delete()
    VacationResponseDay.objects.bulk_create(
        [
            VacationResponseDay(
                response=response,
                date=d.date,
                is_coming=d.is_coming,
                entry_time=d.entry_time if d.is_coming else None,
                exit_time=d.exit_time if d.is_coming else None,
            )
            for d in sorted(days, key=lambda d: d.date)
        ]
    )
    audit.record(
        actor_id=viewer.user_id, action="answer_vacation_request", obj=response, assurance_level=viewer.assurance_level
    )
    return response


def _validate_days(request: VacationRequest, open_dates: list[date], days: list[DayAnswer]) -> None:
    given = [d.date for d in days]
    if len(set(given)) != len(given):
        raise InvalidInput(_("Each day can be answered only once."), field="days")
    outside = [d for d in given if d not in open_dates]
    if outside:
        first = min(outside)
        if request.start_date <= first <= request.end_date:
            message = _("The institution is closed on %(date)s.")
        else:
            message = _("%(date)s is outside the period of the request.")
        raise InvalidInput(message % {"date": date_format(first, "j. F Y")}, field="days")
    missing = sorted(set(open_dates) - set(given))
    if missing:
        raise InvalidInput(
            _("Answer every day of the period. %(date)s is missing.") % {"date": date_format(missing[0], "j. F Y")},
            field="days",
        )
    for day in days:
        if not day.is_coming:
            continue
        if request.presence_times_required and (day.entry_time is None or day.exit_time is None):
            raise InvalidInput(
                _("Give the times the child comes and goes on %(date)s.") % {"date": date_format(day.date, "j. F Y")},
                field="days",
            )
        if day.entry_time and day.exit_time and day.exit_time <= day.entry_time:
            raise InvalidInput(
                _("On %(date)s the child must go home after arriving.") % {"date": date_format(day.date, "j. F Y")},
                field="days",
            )


def _locked_response(request_id: int, child_id: int) -> VacationResponse:
    try:
        with transaction.atomic():
            VacationResponse.objects.get_or_create(request_id=request_id, child_id=child_id)
    except IntegrityError:
        pass  # another guardian answered a moment ago; their answer is replaced under the lock
    return VacationResponse.objects.select_for_update().get(request_id=request_id, child_id=child_id)


# --- For occupancy and exports --------------------------------------------------------------------------


def answer_days_by_child(child_ids: list[int], start: date, end: date) -> dict[int, dict[date, VacationResponseDay]]:
    """{child id: {day: answer}} for answers in a period; a later answer wins where requests overlap."""
    result: dict[int, dict[date, VacationResponseDay]] = defaultdict(dict)
    for day in (
        VacationResponseDay.objects.filter(response__child_id__in=child_ids, date__gte=start, date__lte=end)
        .select_related("response")
        .order_by("response__updated_at", "id")
    ):
        result[day.response.child_id][day.date] = day
    return result
