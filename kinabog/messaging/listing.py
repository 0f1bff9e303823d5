"""The inbox as the Aula API lists it (messaging.getThreads): a page of the viewer's own threads with their
latest messages, the people who wrote them and the participants of the small ones.

Read as written-out statements through `core.sql.Columns`: built as ORM queries (two select_related joins and
a prefetch) they cost the inbox more CPU than PostgreSQL took to answer them, on the API's most frequent
read (docs/performance.md, lever 9). Scoped as `queries.inbox` is: only the viewer's own subscriptions.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import connection

from kinabog.core.sql import Columns, load_row, marks, table
from kinabog.institutions.access import Viewer
from kinabog.institutions.models import InstitutionProfile, Person

from .models import Attachment, CommonInbox, Message, Subscription, Thread
from .queries import PAGE_SIZE

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
_LISTED_MESSAGE = Columns(Message, "m", ["id", "thread_id", "sent_at", "text", "sender_id", "sender_inbox_id"])
# A name as shown: the person's name and protection, nothing more of them (no CPR, no address).
_LISTED_PERSON = Columns(Person, "pe", ["id", "first_name", "last_name", "is_protected", "alias"])
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
    profile_ids = sorted(viewer.profile_ids)
    parts = (_LISTED_SUBSCRIPTION, _LISTED_THREAD, _LISTED_MESSAGE)
    offset = max(page, 0) * limit
    listed, only, params = _listed_subscriptions(profile_ids, unread_only, offset + limit + 1)
    sql = (
        f"SELECT {', '.join(part.sql for part in parts)}, "  # noqa: S608 - from the models; values as parameters
        f"EXISTS (SELECT 1 FROM {table(Attachment)} a WHERE a.message_id = m.id) "
        f"FROM {listed} "
        f"JOIN {table(Thread)} t ON t.id = s.thread_id "
        f"LEFT JOIN {table(Message)} m ON m.id = t.last_message_id {only}"
        # The offset is written in (a page's number, checked by the caller): bound, PostgreSQL costs a prepared
        # statement's generic plan for an offset it cannot know, finds it dearer than planning each read for its
        # own values, and plans every read anew (0.4 ms of its CPU against 0.01).
        f"ORDER BY s.last_message_at DESC, s.id DESC LIMIT %s OFFSET {int(offset):d}"
    )
    params += [limit + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    subscriptions: list[Subscription] = []
    with_attachments: set[int] = set()
    db = connection.alias
    for row in rows[:limit]:
        subscription, thread, message = load_row(row, parts, db)
        Subscription.common_inbox.field.set_cached_value(subscription, None)
        Subscription.thread.field.set_cached_value(subscription, thread)
        Thread.last_message.field.set_cached_value(thread, message)
        if message is not None:
            Message.thread.field.set_cached_value(message, thread)
            if row[-1]:
                with_attachments.add(message.id)
        subscriptions.append(subscription)
    _load_authors([s.thread for s in subscriptions])
    return NumberedPage(subscriptions, len(rows) > limit, frozenset(with_attachments))


def _listed_subscriptions(profile_ids: list[int], unread_only: bool, rows: int) -> tuple[str, str, list[Any]]:
    """The viewer's subscriptions that may be listed, as the statement's `s`: its FROM, its WHERE and their
    parameters.

    One profile: its rows, which the inbox index gives newest first, so the page is read and no more. Several
    (a guardian with children at four institutions has four): the newest `rows` of each, each read down its own
    index, put together for the page to be taken from. Asked for all of them at once, PostgreSQL read and
    sorted every thread the person ever had (1,542 rows for such a guardian, with a parallel worker: 7 ms)."""

    def listable(alias: str) -> str:
        # The profile as a value the planner does not look at: PostgreSQL then costs every person's read alike
        # and keeps one plan for all (down the inbox index, for five threads as for ten thousand), where a
        # connection whose first readers had a few threads each planned every later read anew.
        wanted = [
            "profile_id = (SELECT CAST(%s AS BIGINT))",
            "left_at IS NULL",
            "deleted_at IS NULL",
            "folder_id IS NULL",
        ]
        return " AND ".join(f"{alias}.{condition}" for condition in wanted + (["is_read = %s"] if unread_only else []))

    unread: list[Any] = [False] if unread_only else []
    if len(profile_ids) == 1:
        return f"{table(Subscription)} s", f"WHERE {listable('s')} ", [profile_ids[0], *unread]
    each = (
        f"SELECT * FROM (SELECT {_OWN_SUBSCRIPTION.sql} FROM {table(Subscription)} x WHERE {listable('x')} "  # noqa: S608 - from the models
        "ORDER BY x.last_message_at DESC, x.id DESC LIMIT %s) AS own"
    )
    params: list[Any] = []
    for profile_id in profile_ids:
        params += [profile_id, *unread, rows]
    return f"({' UNION ALL '.join(f'{each}{i}' for i in range(len(profile_ids)))}) AS s", "", params


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
