"""The domain core: municipality, institution, person, institution profile, relation, group.

Almost everything else is addressed by institution profile, as in Aula: a person at one
institution in one role. Business rules live in access.py, queries.py and actions.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinabog.core.models import TimestampedModel


class Municipality(TimestampedModel):
    """Kommune. Holds the configuration that applies to all its institutions."""

    code = models.CharField(_("municipality code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=120)
    # A guardian without custody sees only name and institution unless the municipality grants
    # extended access (Aula's hasCustodyOrExtendedAccess).
    non_custody_extended_access = models.BooleanField(_("extended access for guardians without custody"), default=False)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class Area(TimestampedModel):
    """Område: a district of institutions inside a municipality."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="area_unique_name")]

    def __str__(self) -> str:
        return self.name


class InstitutionKind(models.TextChoices):
    SCHOOL = "school", _("School")
    DAYCARE = "daycare", _("Daycare")
    FAMILY_DAYCARE = "family_daycare", _("Family daycare")
    SFO = "sfo", _("SFO")
    CLUB = "club", _("Club")
    RESIDENTIAL = "residential", _("Residential care")
    # The municipality's own administration (forvaltning): where municipal staff have their profile.
    ADMINISTRATION = "administration", _("Municipal administration")


class Institution(TimestampedModel):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="institutions")
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="institutions")
    # School number or G-number for daycare; Aula calls it institutionCode.
    code = models.CharField(_("institution number"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("type"), max_length=20, choices=InstitutionKind.choices)
    # The school an SFO or club belongs to, where there is one.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="units")
    # Komme/gå for staff: whole institution (daycare default) or only the groups they are in.
    presence_scoped_to_groups = models.BooleanField(default=False)
    # Staff see who has read a thread unless the institution switches it off.
    show_message_read_status = models.BooleanField(_("show staff who has read a message"), default=True)

    class Meta:
        indexes = [models.Index(fields=["municipality", "kind"])]

    def __str__(self) -> str:
        return self.name


class Person(TimestampedModel):
    """One human. A login (optional) is how they sign in; profiles are their roles at institutions."""

    login = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    # CPR is kept as a string: leading zeros and the modulus-11 exceptions make it no number.
    cpr = models.CharField(_("CPR number"), max_length=10, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # Navne- og adressebeskyttelse: shown by alias to everyone but their guardians and staff
    # with the permission to see protected names; address and phone are never shown.
    is_protected = models.BooleanField(_("name and address protection"), default=False)
    alias = models.CharField(_("alias"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    home_phone = models.CharField(_("home phone"), max_length=20, blank=True)
    work_phone = models.CharField(_("work phone"), max_length=20, blank=True)
    street = models.CharField(_("street"), max_length=160, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    postal_district = models.CharField(_("city"), max_length=80, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cpr"], condition=~Q(cpr=""), name="person_unique_cpr"),
            models.CheckConstraint(condition=Q(is_protected=False) | ~Q(alias=""), name="person_protected_has_alias"),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PortalRole(models.TextChoices):
    """The roles a login acts in; Aula's portalRole values."""

    GUARDIAN = "guardian", _("Guardian")
    EMPLOYEE = "employee", _("Employee")
    CHILD = "child", _("Child or pupil")


class ProfileRole(models.TextChoices):
    CHILD = "child", _("Child")
    PUPIL = "pupil", _("Pupil")
    GUARDIAN = "guardian", _("Guardian")
    EMPLOYEE = "employee", _("Employee")


PORTAL_ROLE_OF = {
    ProfileRole.CHILD: PortalRole.CHILD,
    ProfileRole.PUPIL: PortalRole.CHILD,
    ProfileRole.GUARDIAN: PortalRole.GUARDIAN,
    ProfileRole.EMPLOYEE: PortalRole.EMPLOYEE,
}


class JobRole(models.TextChoices):
    TEACHER = "teacher", _("Teacher")
    PEDAGOGUE = "pedagogue", _("Pedagogue")
    LEADER = "leader", _("Leader")
    DAYCARE_PROVIDER = "daycare_provider", _("Family daycare provider")
    OTHER = "other", _("Other staff")


class InstitutionProfile(TimestampedModel):
    """A person at one institution in one role (Aula: institution profile, `id`)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="profiles")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="profiles")
    role = models.CharField(_("role"), max_length=16, choices=ProfileRole.choices)
    job_role = models.CharField(_("job role"), max_length=20, choices=JobRole.choices, blank=True)
    is_institution_admin = models.BooleanField(_("institution administrator"), default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "institution", "role"], name="profile_unique_role"),
            models.CheckConstraint(
                condition=Q(role="employee") | Q(job_role=""), name="profile_job_role_only_for_employees"
            ),
            models.CheckConstraint(
                condition=Q(role="employee") | Q(is_institution_admin=False), name="profile_admin_only_for_employees"
            ),
        ]
        indexes = [models.Index(fields=["institution", "role"])]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}, {self.institution})"

    @property
    def portal_role(self) -> str:
        return PORTAL_ROLE_OF[ProfileRole(self.role)]

    @property
    def role_key(self) -> str:
        """The key permissions are granted to: the profile role, and for staff their job role."""
        if self.role == ProfileRole.EMPLOYEE:
            return f"employee:{self.job_role or JobRole.OTHER}"
        return self.role


class MunicipalAdministrator(TimestampedModel):
    """A person who configures a whole municipality. Configures; does not read content."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="municipal_admin_roles")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="administrators")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "municipality"], name="municipal_admin_unique"),
        ]


class RelationKind(models.TextChoices):
    PARENT = "parent", _("Parent")
    FOSTER_PARENT = "foster_parent", _("Foster parent")
    CONTACT_PERSON = "contact_person", _("Contact person")
    RESIDENTIAL_STAFF = "residential_staff", _("Residential staff")


class Relation(TimestampedModel):
    """Guardian ↔ child. Only custody holders (forældremyndighed) give consent."""

    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="child_relations")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardian_relations")
    kind = models.CharField(_("relation"), max_length=20, choices=RelationKind.choices)
    has_custody = models.BooleanField(_("custody"), default=False)
    # Granted by the municipality for one relation: a guardian without custody then sees what a
    # custody holder sees, but still gives no consent.
    extended_access = models.BooleanField(_("extended access"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "child"], name="relation_unique_pair"),
            models.CheckConstraint(condition=~Q(guardian=models.F("child")), name="relation_not_self"),
            models.CheckConstraint(
                condition=Q(kind="parent") | Q(has_custody=False), name="relation_custody_only_for_parents"
            ),
        ]


class GroupKind(models.TextChoices):
    MAIN = "main", _("Main group")  # class, stue, legestuegruppe — from provisioning
    INSTITUTION = "institution", _("Institution group")
    CROSS_INSTITUTION = "cross_institution", _("Cross-institution group")


class Group(TimestampedModel):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="groups")
    # Empty for cross-institution groups.
    institution = models.ForeignKey(Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("type"), max_length=20, choices=GroupKind.choices)
    description = models.TextField(_("description"), blank=True)
    # What members may do is group configuration.
    members_may_post = models.BooleanField(_("members may post"), default=True)
    members_may_message = models.BooleanField(_("members may write to the group"), default=True)
    members_see_members = models.BooleanField(_("members see each other"), default=True)
    # A composed group's members are those of its parts (optionally only one portal role of them).
    parts: models.ManyToManyField[Group, GroupPart] = models.ManyToManyField(
        "self", through="GroupPart", symmetrical=False, related_name="composed_into"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="cross_institution") & Q(institution__isnull=True))
                | (~Q(kind="cross_institution") & Q(institution__isnull=False)),
                name="group_institution_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GroupPart(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="part_links")
    part = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="whole_links")
    # Only members of this portal role count (e.g. "guardians of 3.B"); empty: all members.
    portal_role = models.CharField(max_length=16, choices=PortalRole.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "part", "portal_role"], name="group_part_unique"),
            models.CheckConstraint(condition=~Q(group=models.F("part")), name="group_part_not_self"),
        ]


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    ADMIN = "admin", _("Group administrator")


class Membership(TimestampedModel):
    """A profile in a group. Guardians are members through their children unless added directly."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    profile = models.ForeignKey(InstitutionProfile, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "profile"], name="membership_unique")]
        indexes = [models.Index(fields=["profile", "group"])]


class Permission(models.TextChoices):
    """What an institution role may do. Granted per role; adjustable per municipality and institution."""

    WRITE_MESSAGE = "write_message", _("Write messages")
    WRITE_POST = "write_post", _("Write posts")
    HANDLE_EVENTS = "handle_events", _("Handle events")
    SHARE_MEDIA = "share_media", _("Share photos and media")
    SEE_PROTECTED_NAMES = "see_protected_names", _("See protected names")
    HANDLE_SECURE_FILES = "handle_secure_files", _("Handle secure files")
    GROUPS_AS_DISTRIBUTION_LISTS = "groups_as_distribution_lists", _("Use groups as distribution lists")
    SEE_SUPPLEMENTARY_DATA = "see_supplementary_data", _("See supplementary master data")
    HANDLE_PRESENCE = "handle_presence", _("Handle komme/gå")
    SEE_OVERVIEWS = "see_overviews", _("See overviews and exports")


class RolePermission(models.Model):
    """An override of the default permission set for one role key, for a municipality or an institution.

    The effective set is: code defaults, then municipality overrides, then institution overrides.
    """

    municipality = models.ForeignKey(Municipality, null=True, blank=True, on_delete=models.CASCADE)
    institution = models.ForeignKey(Institution, null=True, blank=True, on_delete=models.CASCADE)
    role_key = models.CharField(max_length=32)
    permission = models.CharField(max_length=40, choices=Permission.choices)
    granted = models.BooleanField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(municipality__isnull=False) & Q(institution__isnull=True))
                | (Q(municipality__isnull=True) & Q(institution__isnull=False)),
                name="role_permission_one_scope",
            ),
            models.UniqueConstraint(
                fields=["municipality", "role_key", "permission"],
                condition=Q(institution__isnull=True),
                name="role_permission_unique_municipality",
            ),
            models.UniqueConstraint(
                fields=["institution", "role_key", "permission"],
                condition=Q(municipality__isnull=True),
                name="role_permission_unique_institution",
            ),
        ]


class CommunicationBlock(models.Model):
    """The municipality blocks messages between two kinds of profile (e.g. guardian → guardian)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="communication_blocks")
    from_role = models.CharField(max_length=16, choices=PortalRole.choices)
    to_role = models.CharField(max_length=16, choices=PortalRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "from_role", "to_role"], name="communication_block_unique")
        ]


class SupplementaryData(TimestampedModel):
    """Supplerende stamdata: allergies, doctor, language. Needs level 3 and is audited on read."""

    child = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="supplementary_data")
    allergies = models.TextField(_("allergies"), blank=True)
    doctor = models.CharField(_("doctor"), max_length=160, blank=True)
    languages = models.CharField(_("languages spoken at home"), max_length=160, blank=True)
    notes = models.TextField(_("other information"), blank=True)


class AccessVersion(models.Model):
    """One row whose token changes whenever data a Viewer is built from changes (decision 0008).

    Database triggers (migration 0004) replace the token on every write to people's logins, profiles,
    institutions, municipalities, memberships, relations, group compositions, municipal administrators and
    permissions — also bulk and raw-SQL writes — inside the writing transaction. A cached Viewer is keyed
    by the token, so it is never used after such a change has committed, and a rolled-back change cannot
    leave a token behind that a later change could repeat (tokens are random).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=40)
