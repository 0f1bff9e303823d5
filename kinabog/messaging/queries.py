"""Reads of messages, already scoped: a viewer sees only threads they (or their common inbox) take part in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection, transaction
from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from kinabog.core.errors import NotFound, StepUpRequired
from kinabog.core.sql import Columns, any_of, every_column, load_row, marks, select, select_joined, table
from kinabog.institutions import queries as institution_queries
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import (
    Group,
    GroupPart,
    Institution,
    InstitutionProfile,
    Membership,
    Municipality,
    Person,
    PortalRole,
    ProfileRole,
    Relation,
    RelationKind,
)

from . import access
from .models import AutoReply, CommonInbox, Folder, Message, MessageKind, Subscription, Thread

PAGE_SIZE = 20
MESSAGES_PAGE_SIZE = 50


def my_common_inbox_ids(viewer: Viewer) -> list[int]:
    """The common inboxes the viewer is a member of (through any of their profiles). Written out: asked on every
    search and every common-inbox page, the ORM's join cost more to build than to answer."""
    if not viewer.profile_ids:
        return []
    members = CommonInbox.members.through._meta.db_table
    condition, params = any_of("institutionprofile_id", sorted(viewer.profile_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT commoninbox_id FROM {members} WHERE {condition}", params)  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def require_common_inbox_member(viewer: Viewer, common_inbox_id: int) -> None:
    """NotFound unless the viewer is a member of the common inbox: another's inbox does not exist for them."""
    if common_inbox_id not in my_common_inbox_ids(viewer):
        raise NotFound


def _inbox_base(viewer: Viewer, common_inbox_id: int | None) -> QuerySet[Subscription]:
    if common_inbox_id is not None:
        require_common_inbox_member(viewer, common_inbox_id)
        return Subscription.objects.filter(common_inbox_id=common_inbox_id)
    # With the person as well, a thread's row is found through subscription_one_per_person alone: PostgreSQL's
    # plan for this prepared statement, made once for any parameters, otherwise also read every subscription of
    # the profile (10,000 for a busy teacher) to intersect them with the thread's.
    if viewer.person_id is None:
        return Subscription.objects.none()
    return Subscription.objects.filter(person_id=viewer.person_id, profile_id__in=viewer.profile_ids)


def unread_count(viewer: Viewer) -> int:
    """The badge on "Beskeder", on every page: the viewer's own unread threads. Written out, because building
    the ORM's count cost twice what the database takes to answer it."""
    profile_ids = sorted(viewer.profile_ids)
    if not profile_ids:
        return 0
    condition, params = any_of("profile_id", profile_ids)
    sql = (
        f"SELECT COUNT(*) FROM {table(Subscription)} WHERE {condition} "  # noqa: S608
        "AND NOT is_read AND deleted_at IS NULL AND left_at IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def get_subscription(viewer: Viewer, thread_id: int, common_inbox_id: int | None = None) -> Subscription:
    """The viewer's place in a thread; NotFound when they take no part in it."""
    # At most one row (one subscription a person, or an inbox, per thread): unordered, since Django compares an
    # ordering with every selected column, and with the joins that cost more than the rest of the query.
    found = list(
        _inbox_base(viewer, common_inbox_id)
        .filter(thread_id=thread_id, left_at__isnull=True)
        .select_related("thread__creator__person", "thread__creator__institution")[:1]
    )
    if not found:
        raise NotFound
    return found[0]


# A thread's messages as its pages show them, each with its sender (profile and person) or the common inbox it was
# sent from; and its participants, each with their profile, person and institution or their common inbox. Written
# out: opening a thread built three ORM queries with these joins, and building them cost the request more CPU than
# everything else it did (docs/performance.md, lever 18).
_THREAD_MESSAGE = every_column(Message, "m")
_THREAD_SENDER = every_column(InstitutionProfile, "p")
_THREAD_PERSON = every_column(Person, "pe")
_THREAD_INBOX = every_column(CommonInbox, "c")
_PARTICIPANT = every_column(Subscription, "s")
_PARTICIPANT_INSTITUTION = every_column(Institution, "i")


def _set_sender(message: Message, sender: InstitutionProfile | None, person: Person | None) -> None:
    """The message's sender and the sender's person, read in the same written-out statement as the message."""
    Message.sender.field.set_cached_value(message, sender)
    if sender is not None:
        InstitutionProfile.person.field.set_cached_value(sender, person)


def _thread_page(thread_id: int, *, before_id: int | None = None, limit: int, offset: int = 0) -> list[Message]:
    """The thread's messages newest first, from `offset` (or below `before_id`), with their senders and attachments
    loaded: what `select_related("sender__person", "sender_inbox").prefetch_related("attachments")` loads."""
    parts = (_THREAD_MESSAGE, _THREAD_SENDER, _THREAD_PERSON, _THREAD_INBOX)
    condition, params = "m.thread_id = %s", [thread_id]
    if before_id:
        condition += " AND m.id < %s"
        params.append(before_id)
    rest = (
        f"FROM {table(Message)} m "
        f"LEFT JOIN {table(InstitutionProfile)} p ON p.id = m.sender_id "
        f"LEFT JOIN {table(Person)} pe ON pe.id = p.person_id "
        f"LEFT JOIN {table(CommonInbox)} c ON c.id = m.sender_inbox_id "
        f"WHERE {condition} ORDER BY m.sent_at DESC, m.id DESC LIMIT %s OFFSET %s"
    )
    messages = []
    for message, sender, person, inbox in select_joined(parts, rest, [*params, limit, offset]):
        _set_sender(message, sender, person)
        Message.sender_inbox.field.set_cached_value(message, inbox)
        messages.append(message)
    prefetch_related_objects(messages, "attachments")
    return messages


def thread_messages(thread: Thread, *, before_id: int | None = None) -> list[Message]:
    rows = _thread_page(thread.id, before_id=before_id, limit=MESSAGES_PAGE_SIZE)
    rows.reverse()
    return rows


def participants(thread: Thread) -> list[Subscription]:
    """The thread's first 100 participants who have not left, each with their profile's person and institution
    or their common inbox loaded."""
    parts = (_PARTICIPANT, _THREAD_SENDER, _THREAD_PERSON, _PARTICIPANT_INSTITUTION, _THREAD_INBOX)
    rest = (
        f"FROM {table(Subscription)} s "
        f"LEFT JOIN {table(InstitutionProfile)} p ON p.id = s.profile_id "
        f"LEFT JOIN {table(Person)} pe ON pe.id = p.person_id "
        f"LEFT JOIN {table(Institution)} i ON i.id = p.institution_id "
        f"LEFT JOIN {table(CommonInbox)} c ON c.id = s.common_inbox_id "
        "WHERE s.thread_id = %s AND s.left_at IS NULL ORDER BY s.id LIMIT 100"
    )
    result = []
    for subscription, profile, person, institution, inbox in select_joined(parts, rest, [thread.id]):
        Subscription.profile.field.set_cached_value(subscription, profile)
        Subscription.common_inbox.field.set_cached_value(subscription, inbox)
        if profile is not None:
            InstitutionProfile.person.field.set_cached_value(profile, person)
            InstitutionProfile.institution.field.set_cached_value(profile, institution)
        result.append(subscription)
    return result


def display_sender(viewer: Viewer, message: Message) -> str:
    if message.sender_inbox_id:
        return message.sender_inbox.name if message.sender_inbox else ""
    if message.sender is None:
        return ""
    person = message.sender.person
    return institution_queries.display_name(viewer, person, {message.sender.institution_id})


# --- A new message's side effects (run by the Celery worker) ---------------------------------------------

_NEW_MESSAGE = Columns(Message, "m", ["id", "thread_id", "kind", "sender_id"])
_NEW_MESSAGE_THREAD = Columns(Thread, "t", ["id", "subject", "is_sensitive", "is_broadcast"])
_NEW_MESSAGE_SENDER = Columns(InstitutionProfile, "p", ["id", "person_id"])
# A name as shown: the person's name and protection, nothing more of them (no CPR, no address). Every
# written-out read that names a person reads these.
NAMED_PERSON = Columns(Person, "pe", ["id", "first_name", "last_name", "is_protected", "alias"])


def new_message(message_id: int) -> Message | None:
    """A message with its thread and its sender's person, as its side effects read them (notifications and
    auto-replies): one written-out statement, where the ORM spent more time building it than PostgreSQL
    answering. None when it no longer exists."""
    parts = (_NEW_MESSAGE, _NEW_MESSAGE_THREAD, _NEW_MESSAGE_SENDER, NAMED_PERSON)
    sql = (
        f"SELECT {', '.join(part.sql for part in parts)} FROM {table(Message)} m "  # noqa: S608 - from the models
        f"JOIN {table(Thread)} t ON t.id = m.thread_id "
        f"LEFT JOIN {table(InstitutionProfile)} p ON p.id = m.sender_id "
        f"LEFT JOIN {table(Person)} pe ON pe.id = p.person_id WHERE m.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [message_id])
        row = cursor.fetchone()
    if row is None:
        return None
    message, thread, sender, person = load_row(row, parts)
    Message.thread.field.set_cached_value(message, thread)
    _set_sender(message, sender, person)
    return message


def active_auto_replies(thread_id: int, sender_id: int | None, now: datetime) -> list[AutoReply]:
    """The auto-replies active now of the thread's participants other than the sender (one written-out
    statement: asked after every message, and almost always empty)."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    participants = f"SELECT profile_id FROM {table(Subscription)} WHERE thread_id = %s AND left_at IS NULL"  # noqa: S608
    return select(
        AutoReply,
        f"profile_id IN ({participants}) AND starts_at <= %s AND ends_at > %s AND profile_id <> %s",
        [thread_id, stamp, stamp, -1 if sender_id is None else sender_id],
    )


# --- Recipients -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientCandidate:
    kind: str  # "profile" | "group" | "common_inbox"
    id: int
    label: str
    detail: str


def find_recipients(viewer: Viewer, text: str, limit: int = 20) -> list[RecipientCandidate]:
    """People, groups and common inboxes the viewer may write to, matching the typed text."""
    text = text.strip()
    if len(text) < 2:
        return []
    blocked = institution_queries.blocked_channels_for(viewer)
    words = text.split()
    people = access.reachable_profiles(viewer, InstitutionProfile.objects.all(), blocked)
    for word in words:
        people = people.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__alias__icontains=word)
        )
    results = []
    for profile in people.select_related("person", "institution").order_by("person__first_name", "id")[:limit]:
        person = profile.person
        shown = institution_queries.display_name(viewer, person, {profile.institution_id})
        hidden = person.is_protected and shown == person.alias
        if hidden and not all(word.lower() in person.alias.lower() for word in words):
            # Typing the real name must not turn up the alias: that would tie the two together.
            continue
        results.append(
            RecipientCandidate(
                "profile", profile.id, shown, f"{profile.get_role_display()}, {profile.institution.name}"
            )
        )
    groups = access.messageable_groups(viewer, Group.objects.filter(name__icontains=text)).select_related("institution")
    for group in groups.order_by("name")[:limit]:
        results.append(
            RecipientCandidate("group", group.id, group.name, group.institution.name if group.institution else "")
        )
    if viewer.portal_role == PortalRole.EMPLOYEE or viewer.portal_role == PortalRole.GUARDIAN:
        inboxes = CommonInbox.objects.filter(
            institution_id__in=_institutions_for_inboxes(viewer), name__icontains=text
        ).select_related("institution")
        for inbox_row in inboxes.order_by("name")[:limit]:
            results.append(RecipientCandidate("common_inbox", inbox_row.id, inbox_row.name, inbox_row.institution.name))
    return results


def _institutions_for_inboxes(viewer: Viewer) -> set[int]:
    """A common inbox is found from within its institution, and by guardians of its children."""
    return set(viewer.institution_ids)


def reachable_profile_ids(
    viewer: Viewer, profile_ids: list[int], blocked: frozenset[tuple[str, str]] | None = None
) -> set[int]:
    """Which of the profiles the viewer may write to (`blocked`: the viewer's blocked channels, if read).
    Asked on every message sent: the profiles' facts in one written-out statement, decided by the rule for
    one profile (`access.can_reach_profile`)."""
    if not profile_ids or not access.can_write(viewer):
        return set()
    if blocked is None:
        blocked = institution_queries.blocked_channels_for(viewer)
    facts = institution_queries.profile_facts(viewer, profile_ids)
    return {profile.id for profile in facts if access.can_reach_profile(viewer, profile, blocked)}


def messageable_group_ids(viewer: Viewer, group_ids: list[int]) -> set[int]:
    if not group_ids:
        return set()
    return set(access.messageable_groups(viewer, Group.objects.filter(id__in=group_ids)).values_list("id", flat=True))


def reachable_inbox_ids(viewer: Viewer, inbox_ids: list[int]) -> set[int]:
    if not inbox_ids:
        return set()
    return set(
        CommonInbox.objects.filter(id__in=inbox_ids, institution_id__in=_institutions_for_inboxes(viewer)).values_list(
            "id", flat=True
        )
    )


# --- Set-based recipient expansion ----------------------------------------------------------------


def expand_groups(group_specs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Flatten composed groups into (group id, portal role filter) leaves; "" means every role."""
    leaves: set[tuple[int, str]] = set()
    frontier = set(group_specs)
    seen: set[tuple[int, str]] = set()
    for _depth in range(institution_queries.COMPOSITION_DEPTH + 1):
        if not frontier:
            break
        seen |= frontier
        leaves |= frontier
        parts = GroupPart.objects.filter(group_id__in={g for g, _r in frontier}).values_list(
            "group_id", "part_id", "portal_role"
        )
        role_of: dict[int, set[str]] = {}
        for group_id, role in frontier:
            role_of.setdefault(group_id, set()).add(role)
        next_frontier = set()
        for group_id, part_id, part_role in parts:
            for wanted in role_of.get(group_id, {""}):
                if wanted and part_role and wanted != part_role:
                    continue
                spec = (part_id, wanted or part_role)
                if spec not in seen:
                    next_frontier.add(spec)
        frontier = next_frontier
    return sorted(leaves)


def recipient_selects(leaves: list[tuple[int, str]], profile_ids: list[int]) -> list[tuple[str, list[Any]]]:
    """SELECTs (with their parameters) of (rcpt_person, rcpt_profile) for every leaf group and the explicit
    profiles."""
    by_role: dict[str, list[int]] = {}
    for group_id, role in leaves:
        by_role.setdefault(role, []).append(group_id)
    selects: list[QuerySet[InstitutionProfile]] = []
    raw: list[tuple[str, list[Any]]] = []
    member_roles = {
        "": [ProfileRole.EMPLOYEE, ProfileRole.PUPIL, ProfileRole.CHILD],
        PortalRole.EMPLOYEE: [ProfileRole.EMPLOYEE],
        PortalRole.CHILD: [ProfileRole.PUPIL, ProfileRole.CHILD],
        PortalRole.GUARDIAN: [],
    }
    for role, group_ids in by_role.items():
        roles = member_roles.get(role, [])
        if roles:
            selects.append(
                InstitutionProfile.objects.filter(
                    is_active=True, memberships__group_id__in=group_ids, role__in=roles
                ).exclude(role=ProfileRole.CHILD, institution__kind__in=access.NO_INBOX_KINDS)
            )
        if role in ("", PortalRole.GUARDIAN):
            raw.append(_guardians_of_groups(group_ids))
    if profile_ids:
        raw.append(_active_profiles(profile_ids))
    compiled = []
    for qs in selects:
        values = qs.annotate(rcpt_person=F("person_id"), rcpt_profile=F("id")).values_list(
            "rcpt_person", "rcpt_profile"
        )
        sql, params = values.query.get_compiler(using=values.db).as_sql()
        compiled.append((sql, list(params)))
    return compiled + raw


def _active_profiles(profile_ids: list[int]) -> tuple[str, list[Any]]:
    """The chosen profiles that are active: written out, as most messages name their recipients one by one, and
    building this through the ORM cost a send more than PostgreSQL took to answer it."""
    condition, params = any_of("p.id", profile_ids)
    sql = (
        f"SELECT p.person_id AS rcpt_person, p.id AS rcpt_profile FROM {table(InstitutionProfile)} p "  # noqa: S608
        f"WHERE p.is_active AND {condition}"
    )
    return sql, params


def _guardians_of_groups(group_ids: list[int]) -> tuple[str, list[Any]]:
    """The guardians of the active children in the groups (their profile at the child's institution) who may
    receive messages about them: custody, a relation other than parent, extended access, or a municipality
    that gives every parent access.

    Written out so that the relations join the profiles directly; through the ORM the statement went through
    the person table twice (two look-ups per guardian: half of its time for every guardian of a municipality).
    """
    sql = f"""
        SELECT gp.person_id AS rcpt_person, gp.id AS rcpt_profile
        FROM {table(Membership)} m
        JOIN {table(InstitutionProfile)} cp ON cp.id = m.profile_id
        JOIN {table(Relation)} r ON r.child_id = cp.person_id
        JOIN {table(InstitutionProfile)} gp ON gp.person_id = r.guardian_id AND gp.institution_id = cp.institution_id
        JOIN {table(Institution)} i ON i.id = gp.institution_id
        JOIN {table(Municipality)} mu ON mu.id = i.municipality_id
        WHERE m.group_id IN ({marks(group_ids)}) AND cp.is_active AND gp.is_active AND gp.role = %s
          AND (r.has_custody OR r.kind <> %s OR r.extended_access OR mu.non_custody_extended_access)
    """  # noqa: S608 - table names from the models, values as parameters
    return sql, [*group_ids, ProfileRole.GUARDIAN.value, RelationKind.PARENT.value]


def recipients_select_sql(selects: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    """One SELECT of (person_id, profile_id), one row per person, over the union of the parts."""
    params: list[Any] = []
    for _sql, part_params in selects:
        params.extend(part_params)
    # Only SQL compiled by the ORM or written above is joined here; every value travels as a parameter.
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS p{i}" for i, (sql, _p) in enumerate(selects))  # noqa: S608
    return (
        f"SELECT r.rcpt_person AS person_id, MIN(r.rcpt_profile) AS profile_id FROM ({union}) AS r "  # noqa: S608
        "GROUP BY r.rcpt_person",
        params,
    )


def vendor() -> str:
    return connection.vendor


def my_folders(viewer: Viewer, common_inbox_id: int | None = None) -> list[Folder]:
    if common_inbox_id is not None:
        require_common_inbox_member(viewer, common_inbox_id)
        return list(Folder.objects.filter(common_inbox_id=common_inbox_id).order_by("name"))
    return list(Folder.objects.filter(owner_id__in=viewer.profile_ids).order_by("name"))


def my_common_inboxes(viewer: Viewer) -> list[CommonInbox]:
    return list(CommonInbox.objects.filter(id__in=my_common_inbox_ids(viewer)).select_related("institution"))


def read_status(viewer: Viewer, thread: Thread) -> list[Subscription] | None:
    """Who has read the thread — for staff, where the institution shows read status."""
    if viewer.portal_role != PortalRole.EMPLOYEE:
        return None
    return list(
        Subscription.objects.filter(thread=thread, left_at__isnull=True, person__isnull=False)
        .select_related("profile__person")
        .order_by("id")[:100]
    )


# --- Numbered pages (the Aula API asks by page number) ----------------------------------------------


def can_reply(viewer: Viewer, thread: Thread) -> bool:
    """Whether the viewer may answer a thread they take part in (sensitive ones only at level 3)."""
    return access.can_write(viewer) and (viewer.is_stepped_up or not thread.is_sensitive)


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]  # newest first
    total: int
    more: bool


def thread_messages_by_page_number(thread: Thread, page: int, *, limit: int = PAGE_SIZE) -> MessagePage:
    """Page `page` (0-based, newest first) of a thread the caller has opened (actions.open_thread)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table(Message)} WHERE thread_id = %s", [thread.id])  # noqa: S608
        total = int(cursor.fetchone()[0])
    start = max(page, 0) * limit
    rows = _thread_page(thread.id, limit=limit, offset=start) if start < total else []
    return MessagePage(rows, total, start + len(rows) < total)


# --- Searching one's own messages --------------------------------------------------------------------

SEARCH_CONFIG = "danish"
SEARCHABLE_KINDS = (MessageKind.MESSAGE, MessageKind.AUTO_REPLY, MessageKind.FORWARD)


class DanishDocument(Func):
    """to_tsvector('danish', column): the same expression as the GIN index of migration 0002."""

    function = "to_tsvector"
    template = f"%(function)s('{SEARCH_CONFIG}'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


# The columns of a search hit (search.findMessage): the message, its thread as listed, the sender's name as
# shown, and the viewer's own place in the thread — no more of the people who wrote them.
_HIT_MESSAGE = Columns(
    Message, "m", ["id", "thread_id", "kind", "text", "sent_at", "edited_at", "sender_id", "sender_inbox_id"]
)
_HIT_THREAD = Columns(Thread, "t", ["id", "subject", "is_sensitive", "participant_count"])
_HIT_SENDER = Columns(InstitutionProfile, "p", ["id", "person_id", "institution_id", "role", "is_active"])
_HIT_INBOX = Columns(CommonInbox, "c", ["id", "name"])
_HIT_OWN = Columns(
    Subscription, "s", ["id", "thread_id", "profile_id", "is_read", "marked", "muted", "deleted_at", "folder_id"]
)


@dataclass(frozen=True)
class MessageHit:
    message: Message  # with thread, sender person and sender inbox loaded
    sender_name: str  # as the viewer may see it (an alias for a protected person)
    subscription: Subscription | None  # the viewer's own place in the thread (read, marked, muted)
    institution_code: str | None = None  # of the viewer's profile in the thread


SEARCH_COUNT_CAP = 1000


@dataclass(frozen=True)
class MessageSearchPage:
    hits: list[MessageHit]
    total: int


def search_messages(
    viewer: Viewer,
    text: str,
    sender: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> MessageSearchPage:
    """Messages in threads the viewer takes part in whose subject or text matches, newest first.

    PostgreSQL searches with the Danish configuration ("skoven" finds "skov"); SQLite matches each word
    as a substring. `sender` matches the sender's shown name (a protected person's alias only).
    Sensitive threads are searched only in a level-3 session.
    """
    words = text.split()
    sender = (sender or "").strip()
    if not words and not sender:
        return MessageSearchPage([], 0)
    with _planned_for_each_search():
        thread_ids = Subscription.objects.filter(left_at__isnull=True).filter(
            Q(profile_id__in=viewer.profile_ids) | Q(common_inbox_id__in=my_common_inbox_ids(viewer))
        )
        messages = Message.objects.filter(
            thread_id__in=thread_ids.values("thread_id"), kind__in=SEARCHABLE_KINDS, deleted_at__isnull=True
        )
        if not viewer.is_stepped_up:
            # Not "thread is not sensitive": that joins every match to its thread, and for a rare word
            # PostgreSQL read the whole thread table to do it. The sensitive threads are few and indexed.
            messages = messages.filter(~Exists(Thread.objects.filter(pk=OuterRef("thread_id"), is_sensitive=True)))
        if words:
            messages = _matching_text(messages, text, words, thread_ids.values("thread_id"))
        if sender:
            messages = messages.filter(_sender_matches(sender))
        zone = timezone.get_current_timezone()
        if date_from is not None:
            messages = messages.filter(sent_at__gte=datetime.combine(date_from, time.min, tzinfo=zone))
        if date_to is not None:
            end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
            messages = messages.filter(sent_at__lt=end)
        newest_first: list[Any] = ["-sent_at", "-id"]
        if words and connection.vendor == "postgresql":
            # Sorted by an expression no index provides, the matches are gathered through the GIN indexes and
            # then sorted. Sorted by sent_at, the planner would walk all messages newest first and compute a
            # document for each until a page is full: hundreds of milliseconds in a large inbox.
            newest_first[0] = (F("sent_at") + timedelta(0)).desc()
        # The matches are ranked once, as ids only, up to the count's cap: the page is cut from them and the
        # total is their number, so the matches are not gathered a second time to be counted. Beyond
        # SEARCH_COUNT_CAP nobody pages; the total then says "at least".
        wanted = max(SEARCH_COUNT_CAP, offset + limit)
        ranked = list(messages.order_by(*newest_first).values_list("id", flat=True)[:wanted])
    total = len(ranked)
    return MessageSearchPage(_hits(viewer, ranked[offset : offset + limit]), total)


def _hits(viewer: Viewer, message_ids: list[int]) -> list[MessageHit]:
    """The messages of a search's page, in the order of `message_ids`, each with its thread, its sender's name
    and the viewer's own subscription: one written-out statement, where the ORM's two (with select_related
    and `only`) cost a search more CPU than PostgreSQL took to answer them."""
    if not message_ids:
        return []
    parts = (_HIT_MESSAGE, _HIT_THREAD, _HIT_SENDER, NAMED_PERSON, _HIT_INBOX, _HIT_OWN)
    rest = (
        f"FROM {table(Message)} m "
        f"JOIN {table(Thread)} t ON t.id = m.thread_id "
        f"LEFT JOIN {table(InstitutionProfile)} p ON p.id = m.sender_id "
        f"LEFT JOIN {table(Person)} pe ON pe.id = p.person_id "
        f"LEFT JOIN {table(CommonInbox)} c ON c.id = m.sender_inbox_id "
        # The person's one subscription of the thread (subscription_one_per_person): at most one row a message.
        # Joined by the person, not by the viewer's profiles: PostgreSQL's plan for this prepared statement,
        # made once for any parameters, took a profile for one of a few threads and read all 10,000 of a
        # teacher's subscriptions for each hit (40 ms a page); by the person, only that unique index answers.
        f"LEFT JOIN {table(Subscription)} s ON s.thread_id = m.thread_id AND s.person_id = %s "
        f"WHERE m.id IN ({marks(message_ids)})"
    )
    codes = {p.id: p.institution_code for p in viewer.profiles}
    by_id: dict[int, MessageHit] = {}
    for message, thread, sender, person, inbox, subscription in select_joined(
        parts, rest, [viewer.person_id, *message_ids]
    ):
        if subscription is not None and subscription.profile_id not in codes:
            subscription = None  # held by a profile of the person's other role: not the viewer's place
        Message.thread.field.set_cached_value(message, thread)
        _set_sender(message, sender, person)
        Message.sender_inbox.field.set_cached_value(message, inbox)
        by_id[message.id] = MessageHit(
            message,
            display_sender(viewer, message),
            subscription,
            codes.get(subscription.profile_id) if subscription is not None else None,
        )
    return [by_id[i] for i in message_ids if i in by_id]


@contextmanager
def _planned_for_each_search() -> Iterator[None]:
    """PostgreSQL plans a search's statements for its own words and viewer, in one process.

    A word found in one message of a million and a word found in fifteen thousand want different plans, as
    do a guardian with five threads and a teacher with ten thousand; a plan made once for any parameters
    (what PostgreSQL settles on for a prepared statement, decision 0013) took seconds for some searches.
    The ranking is also the one query the planner would split over parallel workers; on the two cores that
    serve the other requests the split only adds work (`docs/performance.md`, the inbox scenario). Both
    settings end with the transaction: the request's own, or the one opened here.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
            " set_config('max_parallel_workers_per_gather', '0', true)"
        )
        yield


def _matching_text(
    messages: QuerySet[Message], text: str, words: list[str], thread_ids: QuerySet[Subscription, Any]
) -> QuerySet[Message]:
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG)
        # The viewer's threads whose subject matches are found first (the subject's GIN index, migration
        # 0003); their ids and the text's GIN index then make one bitmap. Matching both documents in one
        # OR instead would compute a document for every message in the viewer's threads.
        by_subject = list(
            Thread.objects.alias(subject_document=DanishDocument("subject"))
            .filter(subject_document=query, id__in=thread_ids)
            .values_list("id", flat=True)
        )
        matching = Q(text_document=query)
        if by_subject:
            matching |= Q(thread_id__in=by_subject)
        return messages.alias(text_document=DanishDocument("text")).filter(matching)
    for word in words:
        messages = messages.filter(Q(text__icontains=word) | Q(thread__subject__icontains=word))
    return messages


def _sender_matches(name: str) -> Q:
    """The sender's shown name: a protected person is found by their alias, never by the real name."""
    real_name = Q(sender__person__is_protected=False)
    for word in name.split():
        real_name &= Q(sender__person__first_name__icontains=word) | Q(sender__person__last_name__icontains=word)
    alias = Q(sender__person__is_protected=True, sender__person__alias__icontains=name)
    return Q(sender_inbox__name__icontains=name) | (Q(sender_inbox__isnull=True) & (real_name | alias))


# --- Pages: chosen recipients, one's own message, auto-reply ----------------------------------------


def may_write(viewer: Viewer) -> bool:
    return access.can_write(viewer)


def describe_recipients(
    viewer: Viewer, *, profile_ids: list[int], group_ids: list[int], common_inbox_ids: list[int]
) -> list[RecipientCandidate]:
    """The chosen recipients the viewer may write to, named as the viewer may see them."""
    results: list[RecipientCandidate] = []
    if profile_ids:
        blocked = institution_queries.blocked_channels_for(viewer)
        profiles = access.reachable_profiles(viewer, InstitutionProfile.objects.filter(id__in=profile_ids), blocked)
        for profile in profiles.select_related("person", "institution").order_by("person__first_name", "id"):
            shown = institution_queries.display_name(viewer, profile.person, {profile.institution_id})
            detail = f"{profile.get_role_display()}, {profile.institution.name}"
            results.append(RecipientCandidate("profile", profile.id, shown, detail))
    if group_ids:
        groups = access.messageable_groups(viewer, Group.objects.filter(id__in=group_ids))
        for group in groups.select_related("institution").order_by("name"):
            detail = group.institution.name if group.institution else ""
            results.append(RecipientCandidate("group", group.id, group.name, detail))
    if common_inbox_ids:
        inboxes = CommonInbox.objects.filter(
            id__in=common_inbox_ids, institution_id__in=_institutions_for_inboxes(viewer)
        ).select_related("institution")
        for inbox_row in inboxes.order_by("name"):
            results.append(RecipientCandidate("common_inbox", inbox_row.id, inbox_row.name, inbox_row.institution.name))
    return results


def own_message(viewer: Viewer, thread_id: int, message_id: int) -> Message:
    """A message the viewer wrote and may still edit or delete; NotFound otherwise."""
    subscription = get_subscription(viewer, thread_id)
    message = Message.objects.filter(
        pk=message_id,
        thread_id=thread_id,
        kind=MessageKind.MESSAGE,
        sender__person_id=viewer.person_id or 0,
        deleted_at__isnull=True,
    ).first()
    if message is None:
        raise NotFound
    if subscription.thread.is_sensitive and not viewer.is_stepped_up:
        raise StepUpRequired
    return message


def my_auto_reply(viewer: Viewer) -> AutoReply | None:
    """A staff member's auto-reply (the one set_auto_reply writes), if any."""
    if viewer.portal_role != PortalRole.EMPLOYEE or not viewer.profiles:
        return None
    return AutoReply.objects.filter(profile_id=viewer.profiles[0].id).first()


@dataclass(frozen=True)
class InboxAdministration:
    institution_name: str
    institution_id: int
    inboxes: list[CommonInbox]
    staff: list[tuple[int, str]]


def common_inbox_administration(viewer: Viewer) -> list[InboxAdministration]:
    """The common inboxes of the institutions the viewer administers, with members and staff to add."""
    institution_ids = sorted(viewer.admin_institution_ids)
    if not institution_ids:
        return []
    inboxes = list(
        CommonInbox.objects.filter(institution_id__in=institution_ids)
        .select_related("institution")
        .prefetch_related("members__person")
        .order_by("name")
    )
    staff = list(
        InstitutionProfile.objects.filter(institution_id__in=institution_ids, role=ProfileRole.EMPLOYEE, is_active=True)
        .select_related("person", "institution")
        .order_by("person__first_name", "person__last_name")
    )
    result = []
    for institution_id in institution_ids:
        mine = [s for s in staff if s.institution_id == institution_id]
        name = mine[0].institution.name if mine else ""
        result.append(
            InboxAdministration(
                institution_name=name,
                institution_id=institution_id,
                inboxes=[i for i in inboxes if i.institution_id == institution_id],
                staff=[(s.id, s.person.full_name) for s in mine],
            )
        )
    return result
