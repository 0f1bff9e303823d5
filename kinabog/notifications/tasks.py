"""E-mail delivery of notifications. Idempotent: a notification is e-mailed at most once."""

from __future__ import annotations

from itertools import groupby

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Area, Delivery, Notification, NotificationSetting

BATCH = 500
DIGEST_PEOPLE_PER_BATCH = 200


@shared_task(acks_late=True)
def send_instant_emails(dedupe_key: str, *, prefix: bool = False) -> int:
    """E-mail the notifications of one event to people who asked for instant e-mail about its area.

    With `prefix`, also the notifications whose key continues the given one (`<key>:<more>`).
    """
    instant = NotificationSetting.objects.filter(
        person_id=OuterRef("person_id"), area=OuterRef("area"), delivery=Delivery.INSTANT
    )
    keys = Q(dedupe_key=dedupe_key)
    if prefix:
        keys |= Q(dedupe_key__startswith=f"{dedupe_key}:")
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(keys, emailed_at__isnull=True)
                .filter(Exists(instant))
                .exclude(person__email="")
                .select_related("person")[:BATCH]
            )
            if not batch:
                return sent
            with translation.override(settings.LANGUAGE_CODE):
                institutions = _post_institutions(batch)
                messages = [
                    EmailMessage(
                        subject=_email_subject(n),
                        body=_email_body(n, institutions),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[n.person.email],
                    )
                    for n in batch
                ]
            get_connection().send_messages(messages)
            Notification.objects.filter(id__in=[n.id for n in batch]).update(emailed_at=timezone.now())
            sent += len(batch)


def _email_subject(notification: Notification) -> str:
    if notification.area == Area.MESSAGES:
        return _("New message in Kinabog")
    if notification.area == Area.POSTS:
        return _("New post in Kinabog")
    return _("New in Kinabog: %(what)s") % {"what": notification.label}


def _email_body(notification: Notification, institutions: dict[str, str]) -> str:
    # Never the content: the e-mail only says that something waits in Kinabog.
    if notification.area == Area.POSTS:
        institution = institutions.get(notification.dedupe_key, "")
        lines = [
            _("There is a new post from %(institution)s in Kinabog: %(title)s")
            % {"institution": institution, "title": notification.title}
            if institution
            else _("There is a new post in Kinabog: %(title)s") % {"title": notification.title},
            "",
            _("Read it here: %(link)s") % {"link": _link(notification)},
        ]
        return "\n".join(lines)
    if notification.area != Area.MESSAGES:
        what = f"{notification.label}: {notification.title}" if notification.title else notification.label
        return "\n".join([what, "", _("Read it here: %(link)s") % {"link": _link(notification)}])
    if notification.title:
        return _("You have a new message in Kinabog: %(title)s") % {"title": notification.title}
    return _("You have a new message in Kinabog. Log in to read it.")


def _link(notification: Notification) -> str:
    return f"{settings.SITE_URL}{notification.url}"


def _post_institutions(notes: list[Notification]) -> dict[str, str]:
    """The institution of each new-post notification (by its dedupe key "post:<id>"), in one query."""
    post_ids = [
        int(n.dedupe_key.partition(":")[2])
        for n in notes
        if n.area == Area.POSTS and n.dedupe_key.startswith("post:") and n.dedupe_key.partition(":")[2].isdigit()
    ]
    if not post_ids:
        return {}
    from kinabog.posts.notify import institution_names

    return {f"post:{post_id}": name for post_id, name in institution_names(post_ids).items()}


@shared_task(acks_late=True)
def send_daily_digests() -> int:
    """One e-mail per person with unseen notifications, not yet e-mailed, of areas they get once a day.

    Safe to run twice (and on several workers): each notification is e-mailed at most once, marked by
    `emailed_at` in the transaction that sends it. Returns the number of e-mails sent.
    """
    sent = 0
    after_person_id = 0
    while True:
        person_ids = list(
            _pending_digest()
            .filter(person_id__gt=after_person_id)
            .order_by("person_id")
            .values_list("person_id", flat=True)
            .distinct()[:DIGEST_PEOPLE_PER_BATCH]
        )
        if not person_ids:
            return sent
        after_person_id = person_ids[-1]
        with transaction.atomic():
            # Rows another worker is sending right now are skipped, not waited for.
            batch = list(
                _pending_digest()
                .filter(person_id__in=person_ids)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("person")
                .order_by("person_id", "created_at", "id")
            )
            if not batch:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                institutions = _post_institutions(batch)
                messages = [
                    EmailMessage(
                        subject=_("Your daily summary from Kinabog"),
                        body=_digest_body(notes, institutions),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[notes[0].person.email],
                    )
                    for _person_id, group in groupby(batch, key=lambda n: n.person_id)
                    for notes in [list(group)]
                ]
            get_connection().send_messages(messages)
            Notification.objects.filter(id__in=[n.id for n in batch]).update(emailed_at=timezone.now())
            sent += len(messages)


def _pending_digest() -> QuerySet[Notification]:
    """Unseen, un-e-mailed notifications of areas the person gets as a digest (the default)."""
    setting = NotificationSetting.objects.filter(person_id=OuterRef("person_id"), area=OuterRef("area"))
    return (
        Notification.objects.filter(seen_at__isnull=True, emailed_at__isnull=True)
        .exclude(person__email="")
        .filter(Exists(setting.filter(delivery=Delivery.DIGEST)) | ~Exists(setting))
    )


def _digest_body(notes: list[Notification], institutions: dict[str, str]) -> str:
    # Titles only (never message text), and nothing at all about sensitive content.
    lines = [_("Hello %(name)s") % {"name": notes[0].person.first_name}, ""]
    lines.append(_("This is new in Kinabog since your last summary:"))
    for note in notes:
        if note.area == Area.MESSAGES:
            lines.append(
                "- " + (_("Message: %(title)s") % {"title": note.title} if note.title else _("A sensitive message"))
            )
        elif note.dedupe_key in institutions:
            post = {"institution": institutions[note.dedupe_key], "title": note.title}
            lines.append("- " + _("Post from %(institution)s: %(title)s") % post)
            lines.append(f"  {_link(note)}")
        else:
            lines.append(f"- {note.label}: {note.title}" if note.title else f"- {note.label}")
    lines += [
        "",
        _("Log in to Kinabog to read it."),
        "",
        _("You can choose how you are notified under Notifications, Settings."),
    ]
    return "\n".join(lines)
