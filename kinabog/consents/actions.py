"""Writes of consents: check access → write → audit, in a transaction."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kinabog.audit import actions as audit
from kinabog.core.errors import InvalidInput, NotFound, Refused, StepUpRequired
from kinabog.institutions.access import Viewer

from . import access
from .models import Consent, ConsentKind

YES, NO = "yes", "no"


def _parse(answers: Mapping[str, str]) -> dict[str, bool]:
    parsed: dict[str, bool] = {}
    valid = set(ConsentKind.values)
    for kind, value in answers.items():
        if kind not in valid:
            raise InvalidInput(_("That consent does not exist. Reload the page and try again."))
        if value not in (YES, NO):
            raise InvalidInput(_("Answer yes or no."), field=kind)
        parsed[kind] = value == YES
    if not parsed:
        raise InvalidInput(_("Answer at least one of the questions."))
    return parsed


@transaction.atomic
def answer_consents(viewer: Viewer, child_id: int, answers: Mapping[str, str]) -> int:
    """A custody holder answers yes or no for one child; returns how many answers changed.

    `answers` maps a consent kind to "yes" or "no"; kinds left out stay as they are. Only changes are
    written, each with its own audit row. Changing a consent needs a level-3 session.
    """
    if not access.can_answer(viewer, child_id):
        if access.is_related_child(viewer, child_id):
            raise Refused(_("Only a parent with custody can answer consents for the child."))
        raise NotFound
    if not viewer.is_stepped_up:
        raise StepUpRequired
    wanted = _parse(answers)
    existing = {c.kind: c for c in Consent.objects.select_for_update().filter(child_id=child_id, kind__in=list(wanted))}
    now = timezone.now()
    changed = 0
    for kind, is_given in sorted(wanted.items()):
        consent = existing.get(kind)
        if consent is not None and consent.given == is_given:
            continue
        if consent is None:
            consent = Consent(child_id=child_id, kind=kind)
        consent.given = is_given
        consent.answered_by_id = viewer.person_id
        consent.answered_at = now
        try:
            with transaction.atomic():
                consent.save()
        except IntegrityError:  # the other parent created the same answer a moment ago
            raise InvalidInput(_("Someone else answered at the same moment. Reload the page and try again.")) from None
        audit.record(
            actor_id=viewer.user_id,
            action="give_consent" if is_given else "refuse_consent",
            obj=consent,
            reason=kind,
            assurance_level=viewer.assurance_level,
        )
        changed += 1
    return changed
