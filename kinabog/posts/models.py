"""Opslag: posts to an institution or to groups, their comments, and reports of content (anmeldelser).

A post's content is stored once; where it is shared is one row per group (or the whole institution).
Moderation never deletes rows: hidden or removed content stays for the moderators and the audit trail.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinabog.core.models import TimestampedModel
from kinabog.institutions.models import Group, Institution, InstitutionProfile, Person


class Moderation(models.TextChoices):
    VISIBLE = "", _("Visible")
    HIDDEN = "hidden", _("Hidden by a moderator")
    REMOVED = "removed", _("Removed by a moderator")


class Post(TimestampedModel):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(InstitutionProfile, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=160)
    content = models.TextField()  # sanitised HTML
    # Shared with everyone at the institution (in the chosen portal roles) rather than with groups.
    to_institution = models.BooleanField(default=False)
    groups: models.ManyToManyField[Group, PostGroup] = models.ManyToManyField(
        Group, through="PostGroup", related_name="+"
    )
    for_guardians = models.BooleanField(default=True)
    for_employees = models.BooleanField(default=True)
    for_children = models.BooleanField(default=False)
    # Vigtigt: shown on top of the feed from publication until the end date.
    is_important = models.BooleanField(default=False)
    important_until = models.DateField(null=True, blank=True)
    allow_comments = models.BooleanField(default=True)
    published_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)  # deleted by its author
    moderation = models.CharField(max_length=10, choices=Moderation.choices, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(is_important=False) | Q(important_until__isnull=False), name="post_important_has_end"
            ),
        ]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="post_feed"),
            models.Index(fields=["institution", "-published_at"], name="post_institution_feed"),
        ]

    def __str__(self) -> str:
        return self.title


class PostGroup(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="shares")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="post_shares")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "group"], name="post_group_unique")]
        indexes = [models.Index(fields=["group", "post"], name="post_group_by_group")]


class PostAttachment(models.Model):
    """Vedhæftet fil: a file or picture of a post, checked by kinabog.core.files (pictures without EXIF/GPS)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="posts/%Y/%m/")
    # Pictures only: a small copy for the feed.
    thumbnail = models.FileField(upload_to="posts/%Y/%m/", blank=True)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["post", "position"], name="post_attachment_by_post")]


class PostBookmark(models.Model):
    """Bogmærke: a person keeps a post to find it again (Aula's posts.bookmark)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "post"], name="post_bookmark_unique")]


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(InstitutionProfile, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()  # sanitised HTML
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    moderation = models.CharField(max_length=10, choices=Moderation.choices, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["post", "created_at"], name="comment_by_post")]


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Waiting")
    KEPT = "kept", _("Kept")
    HIDDEN = "hidden", _("Hidden")
    REMOVED = "removed", _("Removed")


class Report(models.Model):
    """Anmeldelse: someone who saw a post or a comment asks the institution's administrators to look at it."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    handled_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    note_to_author = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "post", "comment"],
                condition=Q(status="open"),
                name="report_one_open_per_reporter",
            ),
        ]
        indexes = [models.Index(fields=["institution", "status", "created_at"], name="report_queue")]


class CommunicationPrinciples(TimestampedModel):
    """Kommunikationsprincipper: the institution's own words on how we write to each other."""

    institution = models.OneToOneField(Institution, on_delete=models.CASCADE, related_name="communication_principles")
    text = models.TextField(_("communication principles"))
