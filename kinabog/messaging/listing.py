"""The inbox as it is listed: a page of the viewer's threads with their latest messages, the people who wrote
them and the participants of the small ones. The Aula API numbers its pages (messaging.getThreads); the web
pages (the inbox, a folder, the trash, a common inbox) go on from the last row shown (a cursor).

Read as written-out statements through `core.sql.Columns`: built as ORM queries (eight select_related joins and
a prefetch) they cost the inbox more CPU than PostgreSQL took to answer them, on the most frequent reads
(docs/performance.md, levers 9 and 15). Scoped: only the viewer's own subscriptions, or those of a common inbox
the viewer is a member of.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from kinabog.core.errors import NotFound
from kinabog.core.sql import Columns, load_row, marks, table
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import InstitutionProfile, Person

from .models import Attachment, CommonInbox, Message, Subscription, Thread
from .queries import NAMED_PERSON, PAGE_SIZE, require_common_inbox_member

# The columns of one inbox row: the subscription's state, the thread and its latest message; and of the
# people listed on it (authors and participants).
_SUBSCRIPTION_STATE = [
    "id",
    "thread_id",
    "profile_id",
    "common_inbox_id",
    "last_message_at",
    "is_read",
    "marked",
    "muted",
    "deleted_at",
    "folder_id",
]
_LISTED_SUBSCRIPTION = Columns(Subscription, "s", _SUBSCRIPTION_STATE)
# The same columns of one profile's subscriptions, before they are put together (`_listed_subscriptions`).
_OWN_SUBSCRIPTION = Columns(Subscription, "x", _SUBSCRIPTION_STATE)
_LISTED_PROFILE = Columns(InstitutionProfile, "p", ["id", "person_id", "institution_id", "role", "is_active"])
_LISTED_THREAD = Columns(
    Thread,
    "t",
    [
        "id",
        "subject",
        "is_sensitive",
        "created_at",
        "participant_count",
        "creator_id",
        "creator_inbox_id",
        "last_message_id",
        "is_broadcast",
    ],
)
_LISTED_MESSAGE = Columns(
    Message, "m", ["id", "thread_id", "sent_at", "text", "sender_id", "sender_inbox_id", "deleted_at"]
)
_LISTED_PERSON = NAMED_PERSON
_LISTED_INBOX = Columns(CommonInbox, "c", ["id", "name"])


@dataclass(frozen=True)
class NumberedPage:
    """Subscriptions with their thread, its latest message and both authors loaded; not their profile, which
    is one of `viewer.profiles` (reading `.profile` would cost a query per row)."""

    subscriptions: list[Subscription]
    more: bool
    with_attachments: frozenset[int] = frozenset()  # the ids of the listed latest messages that have any


def inbox_by_page_number(
    viewer: Viewer, page: int, *, unread_only: bool = False, limit: int = PAGE_SIZE
) -> NumberedPage:
    """Page `page` (0-based) of the viewer's own inbox, newest first, loaded for listing: each subscription
    with its thread, the thread's latest message and the people who wrote them. The subscriptions' profiles
    are the viewer's own (`viewer.profiles` knows them): they are not read again."""
    if not viewer.profile_ids:
        return NumberedPage([], False)
    wanted = ["{a}.left_at IS NULL", "{a}.deleted_at IS NULL", "{a}.folder_id IS NULL"]
    values: list[Any] = []
    if unread_only:
        wanted.append("{a}.is_read = %s")
        values.append(False)
    offset = max(page, 0) * limit
    listed = _listed_subscriptions("profile_id", sorted(viewer.profile_ids), wanted, values, offset + limit + 1)
    subscriptions, more, with_attachments = _read_page(listed, limit, offset)
    return NumberedPage(subscriptions, more, with_attachments)


@dataclass(frozen=True)
class InboxPage:
    """Subscriptions loaded as for `inbox_by_page_number`, and where the next page starts (None: no more)."""

    subscriptions: list[Subscription]
    next_cursor: str | None


def inbox(
    viewer: Viewer,
    *,
    cursor: str | None = None,
    common_inbox_id: int | None = None,
    folder_id: int | None = None,
    trash: bool = False,
    unread_only: bool = False,
    limit: int = PAGE_SIZE,
) -> InboxPage:
    """One page of the viewer's threads (or of a common inbox they are a member of: NotFound otherwise),
    newest first, from `cursor` on (the last row of the page before): no OFFSET scans, and a thread that moves
    to the top meanwhile is not shown twice. The trash, a folder, or the threads in no folder."""
    if common_inbox_id is not None:
        require_common_inbox_member(viewer, common_inbox_id)
        owner, owner_ids = "common_inbox_id", [common_inbox_id]
    else:
        owner, owner_ids = "profile_id", sorted(viewer.profile_ids)
    if not owner_ids:
        return InboxPage([], None)
    wanted = ["{a}.left_at IS NULL", "{a}.deleted_at IS NOT NULL" if trash else "{a}.deleted_at IS NULL"]
    values: list[Any] = []
    if folder_id is not None:
        wanted.append("{a}.folder_id = %s")
        values.append(folder_id)
    elif not trash:
        wanted.append("{a}.folder_id IS NULL")
    if unread_only:
        wanted.append("{a}.is_read = %s")
        values.append(False)
    if cursor:
        moment, last_id = _parse_cursor(cursor)
        when = Subscription._meta.get_field("last_message_at").get_db_prep_value(moment, connection)
        # As one comparison of the pair, which the inbox index answers from where the last page ended; written
        # as "earlier, or as early with a lower id", PostgreSQL gathered and sorted every older thread (71 ms
        # for a teacher with ten thousand).
        wanted.append("({a}.last_message_at, {a}.id) < (%s, %s)")
        values += [when, last_id]
    listed = _listed_subscriptions(owner, owner_ids, wanted, values, limit + 1)
    subscriptions, more, _attachments = _read_page(listed, limit, 0)
    next_cursor = None
    if more:
        last = subscriptions[-1]
        next_cursor = f"{last.last_message_at.isoformat()}_{last.id}"
    return InboxPage(subscriptions, next_cursor)


def _parse_cursor(cursor: str) -> tuple[datetime, int]:
    """A page's cursor: the time and id of the last row before it. One that was not made here is not found."""
    stamp, _sep, last_id = cursor.partition("_")
    try:
        moment, row_id = datetime.fromisoformat(stamp), int(last_id)
    except ValueError as error:
        raise NotFound from error
    if moment.tzinfo is None:  # every cursor made here says its offset
        raise NotFound
    return moment, row_id


@dataclass(frozen=True)
class _Listed:
    """The subscriptions a page may list, as its statement's `s`: its FROM, its WHERE and their parameters."""

    source: str
    where: str
    params: list[Any]


def _read_page(listed: _Listed, limit: int, offset: int) -> tuple[list[Subscription], bool, frozenset[int]]:
    """The page's subscriptions with their threads, latest messages and authors loaded; whether more follow;
    the ids of the listed latest messages that have attachments."""
    parts = (_LISTED_SUBSCRIPTION, _LISTED_THREAD, _LISTED_MESSAGE)
    sql = (
        f"SELECT {', '.join(part.sql for part in parts)}, "  # noqa: S608 - from the models; values as parameters
        f"EXISTS (SELECT 1 FROM {table(Attachment)} a WHERE a.message_id = m.id) "
        f"FROM {listed.source} "
        f"JOIN {table(Thread)} t ON t.id = s.thread_id "
        f"LEFT JOIN {table(Message)} m ON m.id = t.last_message_id {listed.where}"
        # The offset is written in (a page's number, checked by the caller): bound, PostgreSQL costs a prepared
        # statement's generic plan for an offset it cannot know, finds it dearer than planning each read for its
        # own values, and plans every read anew (0.4 ms of its CPU against 0.01).
        f"ORDER BY s.last_message_at DESC, s.id DESC LIMIT %s OFFSET {int(offset):d}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*listed.params, limit + 1])
        rows = cursor.fetchall()
    subscriptions: list[Subscription] = []
    with_attachments: set[int] = set()
    db = connection.alias
    for row in rows[:limit]:
        subscription, thread, message = load_row(row, parts, db)
        if subscription.common_inbox_id is None:
            Subscription.common_inbox.field.set_cached_value(subscription, None)
        if subscription.folder_id is None:
            Subscription.folder.field.set_cached_value(subscription, None)
        Subscription.thread.field.set_cached_value(subscription, thread)
        Thread.last_message.field.set_cached_value(thread, message)
        if message is not None:
            Message.thread.field.set_cached_value(message, thread)
            if row[-1]:
                with_attachments.add(message.id)
        subscriptions.append(subscription)
    _load_authors([s.thread for s in subscriptions])
    return subscriptions, len(rows) > limit, frozenset(with_attachments)


def _listed_subscriptions(owner: str, owner_ids: list[int], wanted: list[str], values: list[Any], rows: int) -> _Listed:
    """The subscriptions of `owner` (`profile_id` or `common_inbox_id`) in `owner_ids` that meet every condition
    of `wanted` (on the subscription's columns as `{a}.column`; `values` for their parameters); `rows`: as many
    as the page reads.

    One owner: its rows, which its index gives newest first, so the page is read and no more. Several (a
    guardian with children at four institutions has four profiles): the newest `rows` of each, each read down its
    own index, put together for the page to be taken from. Asked for all of them at once, PostgreSQL read and
    sorted every thread the person ever had (1,542 rows for such a guardian, with a parallel worker: 7 ms)."""

    def listable(alias: str) -> str:
        # The owner as a value the planner does not look at: PostgreSQL then costs every person's read alike
        # and keeps one plan for all (down the inbox index, for five threads as for ten thousand), where a
        # connection whose first readers had a few threads each planned every later read anew.
        conditions = [f"{{a}}.{owner} = (SELECT CAST(%s AS BIGINT))", *wanted]
        return " AND ".join(condition.format(a=alias) for condition in conditions)

    if len(owner_ids) == 1:
        return _Listed(f"{table(Subscription)} s", f"WHERE {listable('s')} ", [owner_ids[0], *values])
    each = (
        f"SELECT * FROM (SELECT {_OWN_SUBSCRIPTION.sql} FROM {table(Subscription)} x WHERE {listable('x')} "  # noqa: S608 - from the models
        "ORDER BY x.last_message_at DESC, x.id DESC LIMIT %s) AS own"
    )
    params: list[Any] = []
    for owner_id in owner_ids:
        params += [owner_id, *values, rows]
    return _Listed(f"({' UNION ALL '.join(f'{each}{i}' for i in range(len(owner_ids)))}) AS s", "", params)


def _load_authors(threads: list[Thread]) -> None:
    """The creators and latest senders of listed threads: their profiles with the person (one query) and their
    common inboxes (one more, where any). Joined into the page's own query they made it a join of eleven
    tables, which PostgreSQL took 7 ms to plan for 0.5 ms of work, on every inbox view."""
    messages = [t.last_message for t in threads if t.last_message is not None]
    profile_ids = {t.creator_id for t in threads} | {m.sender_id for m in messages}
    inbox_ids = {t.creator_inbox_id for t in threads} | {m.sender_inbox_id for m in messages}
    profile_ids.discard(None)
    inbox_ids.discard(None)
    profiles: dict[int | None, InstitutionProfile] = {}
    if profile_ids:
        profiles.update(_named_profiles(profile_ids))
    inboxes: dict[int | None, CommonInbox] = {}
    if inbox_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {_LISTED_INBOX.sql} FROM {table(CommonInbox)} c WHERE c.id IN ({marks(inbox_ids)})",  # noqa: S608
                list(inbox_ids),
            )
            inboxes = {inbox.id: inbox for row in cursor.fetchall() if (inbox := _LISTED_INBOX.load(row))}
    for thread in threads:
        Thread.creator.field.set_cached_value(thread, profiles.get(thread.creator_id))
        Thread.creator_inbox.field.set_cached_value(thread, inboxes.get(thread.creator_inbox_id))
    for message in messages:
        Message.sender.field.set_cached_value(message, profiles.get(message.sender_id))
        Message.sender_inbox.field.set_cached_value(message, inboxes.get(message.sender_inbox_id))


def _named_profiles(profile_ids: Collection[int | None]) -> dict[int | None, InstitutionProfile]:
    """Profiles by id, each with its person's name as shown."""
    parts = (_LISTED_PROFILE, _LISTED_PERSON)
    sql = (
        f"SELECT {_LISTED_PROFILE.sql}, {_LISTED_PERSON.sql} "  # noqa: S608 - from the models; values as parameters
        f"FROM {table(InstitutionProfile)} p JOIN {table(Person)} pe ON pe.id = p.person_id "
        f"WHERE p.id IN ({marks(profile_ids)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(profile_ids))
        rows = cursor.fetchall()
    profiles: dict[int | None, InstitutionProfile] = {}
    db = connection.alias
    for row in rows:
        profile, person = load_row(row, parts, db)
        InstitutionProfile.person.field.set_cached_value(profile, person)
        profiles[profile.id] = profile
    return profiles


@dataclass(frozen=True, slots=True)
class Participant:
    """Who takes part in a listed thread: a profile with its person, or a common inbox. The same person is one
    Participant on every row of a page that names them."""

    profile_id: int | None
    common_inbox_id: int | None
    profile: InstitutionProfile | None
    common_inbox: CommonInbox | None


def participants_of_small_threads(threads: list[Thread], max_participants: int) -> dict[int, list[Participant]]:
    """Participants of the threads that have at most `max_participants`, in one query, each with its profile
    and the profile's person, or its common inbox, in the order they joined; larger threads get none (a
    broadcast's 30,000 are not read to learn that they are too many: the thread's count says so)."""
    thread_ids = [t.id for t in threads if t.participant_count <= max_participants]
    if not thread_ids:
        return {}
    parts = (_LISTED_PROFILE, _LISTED_PERSON, _LISTED_INBOX)
    sql = (
        f"SELECT s.thread_id, s.profile_id, s.common_inbox_id, {', '.join(part.sql for part in parts)} "  # noqa: S608 - from the models; values as parameters
        f"FROM {table(Subscription)} s "
        f"LEFT JOIN {table(InstitutionProfile)} p ON p.id = s.profile_id "
        f"LEFT JOIN {table(Person)} pe ON pe.id = p.person_id "
        f"LEFT JOIN {table(CommonInbox)} c ON c.id = s.common_inbox_id "
        f"WHERE s.thread_id IN ({marks(thread_ids)}) AND s.left_at IS NULL "
        "ORDER BY s.thread_id, s.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*thread_ids, len(thread_ids) * max_participants])
        rows = cursor.fetchall()
    result: dict[int, list[Participant]] = {}
    db = connection.alias
    # The same people take part in many of a page's threads (the viewer in all of them): each is loaded once
    # (profile, person, common inbox) and shared by the rows that name them; a row is not made a subscription.
    known: dict[tuple[int | None, int | None], Participant] = {}
    at_person = 3 + _LISTED_PROFILE.width
    at_inbox = at_person + _LISTED_PERSON.width
    for row in rows:
        thread_id, profile_id, inbox_id = row[0], row[1], row[2]
        participant = known.get((profile_id, inbox_id))
        if participant is None:
            profile = _LISTED_PROFILE.load(row, 3, db) if profile_id is not None else None
            if profile is not None:
                InstitutionProfile.person.field.set_cached_value(profile, _LISTED_PERSON.load(row, at_person, db))
            inbox = _LISTED_INBOX.load(row, at_inbox, db) if inbox_id is not None else None
            participant = known[(profile_id, inbox_id)] = Participant(profile_id, inbox_id, profile, inbox)
        result.setdefault(thread_id, []).append(participant)
    return result
