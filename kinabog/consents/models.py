"""Samtykker: a custody holder's yes or no, per child and kind of consent.

No row means not answered, and an unanswered consent counts as not given. Who may answer is decided
in access.py (only holders of custody); every answer leaves an audit row (actions.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kinabog.core.models import TimestampedModel
from kinabog.institutions.models import Person


class ConsentKind(models.TextChoices):
    """The nationally uniform questions; the text is what the guardian answers yes or no to."""

    BIRTHDAY_IN_GROUP = "birthday_in_group", _("The child's birthday may be shown to the group")
    PHOTO_INTERNAL = "photo_internal", _("Photos of the child may be shared with the group in Kinabog")
    PHOTO_PUBLIC = "photo_public", _("Photos may be used on the institution's website")


class Consent(TimestampedModel):
    """One answer for one child (samtykke). The latest answer counts; earlier ones are in the audit trail."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("consent"), max_length=32, choices=ConsentKind.choices)
    given = models.BooleanField(_("given"))
    # Kept when the guardian's person is removed: the answer stays valid.
    answered_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents_answered"
    )
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        # Also the index every "is it given?" lookup uses (child first, then kind).
        constraints = [models.UniqueConstraint(fields=["child", "kind"], name="consent_unique_child_kind")]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.kind}={'yes' if self.given else 'no'}"
