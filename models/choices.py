"""Enumerated values: a stable English code stored in the database, a zh/en label shown."""

from collections.abc import Iterator

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l


class Choices:
    """An ordered set of (code, lazy label) pairs for one enumerated field."""

    def __init__(self, *pairs):
        self._pairs = list(pairs)
        self._labels = dict(pairs)
        #: (code, language) → its label in that language: a list page shows a few codes on
        #: every row, and each translation of a lazy label costs some 30 calls through flask_babel
        self._texts: dict = {}

    def __iter__(self) -> Iterator[tuple[str, object]]:
        return iter(self._pairs)

    def __contains__(self, code) -> bool:
        return code in self._labels

    @property
    def codes(self) -> list[str]:
        return [code for code, _label in self._pairs]

    def label(self, code) -> str:
        """The label in the current language, or an empty string for no value."""
        if code is None or code == "":
            return ""
        label = self._labels.get(code)
        if label is None:
            return str(code)
        key = (code, str(get_locale()))
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = str(label)
        return text

    def form_choices(self) -> list[tuple[str, object]]:
        return list(self._pairs)


REGION_LEVELS = Choices(
    ("district", _l("District/County")),
    ("township", _l("Township/Street")),
    ("village", _l("Village/Community")),
)

DEPARTMENT_KINDS = Choices(
    ("government", _l("Government organ")),
    ("institution", _l("Public institution")),
    ("mass_org", _l("Mass organization")),
    ("village_org", _l("Village/community organization")),
    ("stationed", _l("Stationed agency")),
)

REFORM_STATUSES = Choices(
    ("retained", _l("Retained")),
    ("abolished", _l("Abolished")),
    ("converted", _l("Converted to enterprise")),
    ("supervisor", _l("Strengthened as supervisor")),
)

GENDERS = Choices(("male", _l("Male")), ("female", _l("Female")))

PERSON_CATEGORIES = Choices(
    ("civil_servant", _l("Civil servant")),
    ("institution_staff", _l("Institution staff")),
    ("community_worker", _l("Community worker")),
    ("social_worker", _l("Social worker")),
    ("contract", _l("Contract staff")),
    ("volunteer", _l("Volunteer")),
)

POLITICAL_STATUSES = Choices(
    ("cpc_member", _l("CPC member")),
    ("probationary", _l("Probationary CPC member")),
    ("cyl_member", _l("CYL member")),
    ("masses", _l("Masses")),
    ("other", _l("Other")),
)

EDUCATION_LEVELS = Choices(
    ("junior_high", _l("Junior high school or below")),
    ("senior_high", _l("Senior high school")),
    ("college", _l("Junior college")),
    ("bachelor", _l("Bachelor's degree")),
    ("master", _l("Master's degree or above")),
)

PERSON_STATUSES = Choices(
    ("on_duty", _l("On duty")),
    ("away", _l("Away")),
    ("transferred_out", _l("Transferred out")),
)

SOCIAL_WORK_QUALIFICATIONS = Choices(
    ("assistant", _l("Assistant social worker")),
    ("intermediate", _l("Intermediate social worker")),
    ("senior", _l("Senior social worker")),
)

FACILITY_KINDS = Choices(
    ("gov_service_center", _l("Government service center")),
    ("convenience_center", _l("Convenience service center")),
    ("community_station", _l("Community service station")),
    ("incubator", _l("Incubator base")),
    ("activity_room", _l("Activity room")),
    ("citizen_forum", _l("Citizen forum")),
    ("call_center", _l("Call center")),
    ("e_library", _l("E-library")),
    ("distance_learning", _l("Distance-learning site")),
)

FACILITY_STATUSES = Choices(
    ("running", _l("Running")),
    ("under_construction", _l("Under construction")),
    ("closed", _l("Closed")),
)

DATA_SCOPES = Choices(
    ("all", _l("All data")),
    ("dept_and_below", _l("Own department and below")),
    ("dept", _l("Own department only")),
    ("self", _l("Own records only")),
)

#: every record type the audit log and the recycle bin name, by model name (users by "User")
ENTITY_TYPES = Choices(
    ("Region", _l("Region")),
    ("Department", _l("Department")),
    ("SocialOrganization", _l("Social organization")),
    ("Person", _l("Person")),
    ("Transfer", _l("Transfer")),
    ("Facility", _l("Facility")),
    ("Booking", _l("Booking")),
    ("ServiceItem", _l("Service item")),
    ("ServiceItemMaterial", _l("Application material")),
    ("ServiceItemStep", _l("Process step")),
    ("Resource", _l("Shared resource")),
    ("Funding", _l("Support fund")),
    ("PurchasedService", _l("Purchased service")),
    ("PartyOrganization", _l("Party organization")),
    ("OversightRecord", _l("Oversight inspection")),
    ("OversightAttachment", _l("Inspection attachment")),
    ("Rectification", _l("Rectification")),
    ("JointMeeting", _l("Joint meeting")),
    ("AgendaItem", _l("Agenda item")),
    ("Resolution", _l("Resolution")),
    ("ResolutionFollowUp", _l("Progress note")),
    ("User", _l("User")),
    ("Role", _l("Role")),
    ("RoleDataScope", _l("Role data scope")),
    ("Group", _l("Group")),
    ("AuditEvent", _l("Audit log")),
)
