"""Exports of komme/gå for leaders: Excel (one sheet per table) and CSV (one table).

Tables for an institution or one group over a period: attendance per child per day with planned
against actual times, answers to ferieanmodninger, sick days and a summary per child. Municipalities
asked for these as Excel sheets for staffing and statistics. Every export is audited.

Text cells are written as text: a name that begins with "=" never becomes a formula in Excel, and
CSV cells that a spreadsheet would read as a formula are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import Group, Institution, InstitutionProfile

from . import access
from .models import PresenceDay, Status, VacationRequest, VacationResponse
from .occupancy import (
    EXPECTED,
    EXPECTED_NO_TIMES,
    NOT_COMING,
    SICK,
    VACATION,
    ChildPlan,
    child_names,
    plan_days,
    visible_children,
)
from .opening import days_between, opening_calendar

MAX_EXPORT_DAYS = 366
ATTENDANCE = "attendance"
VACATION_ANSWERS = "vacation_answers"
SICK_DAYS = "sick_days"
SUMMARY = "summary"
KINDS = (ATTENDANCE, VACATION_ANSWERS, SICK_DAYS, SUMMARY)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | date | time | None


@dataclass
class Table:
    kind: str
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Export:
    institution: Institution
    group: Group | None
    start: date
    end: date
    tables: list[Table]

    def filename(self, extension: str, kind: str | None = None) -> str:
        parts = ["komme-gaa", slugify(self.institution.name)]
        if self.group is not None:
            parts.append(slugify(self.group.name))
        if kind:
            parts.append(kind.replace("_", "-"))
        parts.append(f"{self.start:%Y%m%d}-{self.end:%Y%m%d}")
        return "-".join(p for p in parts if p) + f".{extension}"


def export_institutions(viewer: Viewer) -> list[Institution]:
    ids = [i for i in viewer.employee_institution_ids if access.can_export(viewer, i)]
    if not ids:
        return []
    return list(Institution.objects.filter(id__in=ids, kind__in=access.PRESENCE_KINDS).order_by("name"))


def build_export(
    viewer: Viewer,
    institution_id: int,
    start: date,
    end: date,
    *,
    group_id: int | None = None,
    kinds: tuple[str, ...] = KINDS,
) -> Export:
    """The chosen tables for the period, loaded in a fixed number of queries; the export is audited."""
    if institution_id not in viewer.employee_institution_ids or not access.can_export(viewer, institution_id):
        raise NotFound
    institution = Institution.objects.filter(pk=institution_id, kind__in=access.PRESENCE_KINDS).first()
    if institution is None:
        raise NotFound
    if end < start:
        raise InvalidInput(_("The last day must be on or after the first day."), field="end")
    if (end - start).days >= MAX_EXPORT_DAYS:
        raise InvalidInput(_("An export can cover at most one year."), field="end")
    if not kinds or any(k not in KINDS for k in kinds):
        raise InvalidInput(_("Choose what to export."), field="kind")
    children, _groups, group = visible_children(viewer, institution, group_id)
    names = child_names(viewer, children)
    group_names = {c.id: ", ".join(m.group.name for m in c.memberships.all()) for c in children}
    ids = [c.id for c in children]
    presence = {
        (d.child_id, d.date): d
        for d in PresenceDay.objects.filter(child_id__in=ids, date__gte=start, date__lte=end).order_by("date")
    }
    plans = plan_days(children, start, end) if {ATTENDANCE, SUMMARY} & set(kinds) else {}
    context = _Context(children, names, group_names, presence, plans, start, end, institution.id)
    builders = {
        ATTENDANCE: _attendance,
        VACATION_ANSWERS: _vacation_answers,
        SICK_DAYS: _sick_days,
        SUMMARY: _summary,
    }
    tables = [builders[kind](context) for kind in KINDS if kind in kinds]
    audit.record_event(
        actor_id=viewer.user_id,
        action="export_presence",
        object_type="institutions.institution",
        object_id=str(institution.id),
        reason=f"{','.join(kinds)} {start.isoformat()}..{end.isoformat()}"
        + (f" group {group.id}" if group is not None else ""),
        assurance_level=viewer.assurance_level,
    )
    return Export(institution, group, start, end, tables)


@dataclass
class _Context:
    children: list[InstitutionProfile]
    names: dict[int, str]
    group_names: dict[int, str]
    presence: dict[tuple[int, date], PresenceDay]
    plans: dict[date, list[ChildPlan]]
    start: date
    end: date
    institution_id: int


def _local_time(moment: datetime | None) -> time | None:
    return timezone.localtime(moment).time().replace(second=0, microsecond=0) if moment else None


def _minutes_between(first: time | None, second: time | None) -> int | None:
    if first is None or second is None:
        return None
    return (second.hour * 60 + second.minute) - (first.hour * 60 + first.minute)


def _attendance(ctx: _Context) -> Table:
    table = Table(
        ATTENDANCE,
        _("Attendance"),
        [
            _("Date"),
            _("Child"),
            _("Group"),
            _("Status"),
            _("Planned arrival"),
            _("Planned departure"),
            _("Checked in"),
            _("Checked out"),
            _("Minutes late (+) or early (−) on arrival"),
            _("Minutes later (+) or earlier (−) at departure"),
            _("Minutes present"),
            _("Planned times from"),
        ],
    )
    calendar = opening_calendar([ctx.institution_id], ctx.start, ctx.end)[ctx.institution_id]
    today = timezone.localdate()
    for day in days_between(ctx.start, ctx.end):
        plans = {p.profile_id: p for p in ctx.plans.get(day, [])}
        for child in ctx.children:
            presence = ctx.presence.get((child.id, day))
            if presence is None and not calendar[day].is_open:
                continue
            plan = plans.get(child.id)
            check_in = _local_time(presence.check_in_at) if presence else None
            check_out = _local_time(presence.check_out_at) if presence else None
            entry = plan.entry if plan else None
            exit_ = plan.exit if plan else None
            source = ""
            if plan is not None and plan.state == EXPECTED:
                source = _("Answer to vacation request") if plan.from_answer else _("Planned times")
            table.rows.append(
                [
                    day,
                    ctx.names[child.id],
                    ctx.group_names[child.id],
                    _status_text(presence, plan, day, today),
                    entry,
                    exit_,
                    check_in,
                    check_out,
                    _minutes_between(entry, check_in),
                    _minutes_between(exit_, check_out),
                    _minutes_between(check_in, check_out),
                    source,
                ]
            )
    return table


def _status_text(presence: PresenceDay | None, plan: ChildPlan | None, day: date, today: date) -> str:
    if presence is not None and (presence.status != Status.NOT_PRESENT or day < today):
        return str(Status(presence.status).label)
    if plan is not None:
        if plan.state == SICK:
            return str(Status.SICK.label)
        if plan.state == VACATION:
            return str(Status.REPORTED_ABSENT.label)
        if plan.state == NOT_COMING:
            return _("Not coming (vacation request)")
    if day < today:
        return str(Status.NOT_PRESENT.label)
    return _("Expected") if plan is not None and plan.state in (EXPECTED, EXPECTED_NO_TIMES) else ""


def _vacation_answers(ctx: _Context) -> Table:
    table = Table(
        VACATION_ANSWERS,
        _("Vacation answers"),
        [
            _("Request"),
            _("Answer deadline"),
            _("Child"),
            _("Group"),
            _("Date"),
            _("Answer"),
            _("Arrival"),
            _("Departure"),
            _("Answered by"),
            _("Comment"),
        ],
    )
    child_ids = {c.id for c in ctx.children}
    requests = (
        VacationRequest.objects.filter(
            institution_id=ctx.institution_id, start_date__lte=ctx.end, end_date__gte=ctx.start
        )
        .prefetch_related(
            "groups",
            Prefetch(
                "responses",
                queryset=VacationResponse.objects.filter(child_id__in=child_ids)
                .select_related("answered_by")
                .prefetch_related("days"),
            ),
        )
        .order_by("start_date", "id")
    )
    memberships: dict[int, set[int]] = defaultdict(set)
    for child in ctx.children:
        for membership in child.memberships.all():
            memberships[child.id].add(membership.group_id)
    for request in requests:
        request_groups = {g.id for g in request.groups.all()}
        responses = {r.child_id: r for r in request.responses.all()}
        for child in ctx.children:
            if not memberships[child.id] & request_groups:
                continue
            response = responses.get(child.id)
            base: list[Cell] = [request.title, request.deadline, ctx.names[child.id], ctx.group_names[child.id]]
            if response is None:
                table.rows.append([*base, None, _("Not answered"), None, None, "", ""])
                continue
            answered_by = response.answered_by.full_name if response.answered_by else ""
            for answer in sorted(response.days.all(), key=lambda d: d.date):
                if not ctx.start <= answer.date <= ctx.end:
                    continue
                table.rows.append(
                    [
                        *base,
                        answer.date,
                        _("Coming") if answer.is_coming else _("Not coming"),
                        answer.entry_time,
                        answer.exit_time,
                        answered_by,
                        response.comment,
                    ]
                )
    return table


def _sick_days(ctx: _Context) -> Table:
    table = Table(SICK_DAYS, _("Sick days"), [_("Date"), _("Child"), _("Group")])
    order = {c.id: i for i, c in enumerate(ctx.children)}
    sick = sorted(
        (d for d in ctx.presence.values() if d.status == Status.SICK), key=lambda d: (d.date, order[d.child_id])
    )
    for day in sick:
        table.rows.append([day.date, ctx.names[day.child_id], ctx.group_names[day.child_id]])
    return table


def _summary(ctx: _Context) -> Table:
    table = Table(
        SUMMARY,
        _("Summary"),
        [
            _("Child"),
            _("Group"),
            _("Days checked in"),
            _("Hours present"),
            _("Sick days"),
            _("Vacation days"),
            _("Days not coming (vacation request)"),
        ],
    )
    counts: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (child_id, _day), presence in ctx.presence.items():
        if presence.check_in_at:
            counts[child_id]["in"] += 1
            if presence.check_out_at:
                counts[child_id]["minutes"] += (presence.check_out_at - presence.check_in_at).total_seconds() / 60
        if presence.status == Status.SICK:
            counts[child_id]["sick"] += 1
    for plans in ctx.plans.values():
        for plan in plans:
            if plan.state == VACATION:
                counts[plan.profile_id]["vacation"] += 1
            elif plan.state == NOT_COMING:
                counts[plan.profile_id]["not_coming"] += 1
    for child in ctx.children:
        row = counts[child.id]
        table.rows.append(
            [
                ctx.names[child.id],
                ctx.group_names[child.id],
                int(row["in"]),
                round(row["minutes"] / 60, 2),
                int(row["sick"]),
                int(row["vacation"]),
                int(row["not_coming"]),
            ]
        )
    return table


# --- Formats ----------------------------------------------------------------------------------------------


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")  # Danish spreadsheets read a decimal comma
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def as_csv(table: Table) -> bytes:
    """Semicolon-separated UTF-8 with a byte order mark: what Danish Excel opens without asking."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(export: Export) -> bytes:
    """One sheet per table, a bold frozen header row, dates and times as real cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for table in export.tables:
        sheet = workbook.create_sheet(title=table.title[:31])
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for values in table.rows:
            sheet.append(values)
            for cell, value in zip(sheet[sheet.max_row], values, strict=False):
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula
                elif isinstance(value, time):
                    cell.number_format = "HH:MM"
                elif isinstance(value, date):
                    cell.number_format = "YYYY-MM-DD"
        for column, header in enumerate(table.headers, start=1):
            width = max([len(header), *(len(_csv_text(r[column - 1])) for r in table.rows[:200])])
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 10), 50)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
