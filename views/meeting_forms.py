"""The minutes editor's form: the meeting, its agenda items and its resolutions on one page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.datamodel import ScopedSQLAInterface
from models import Department, Facility, Person, SocialOrganization
from models.mixins import listing

from .fields import AjaxSelectField, AjaxSelectMultipleField

EDITOR = "MinutesEditorView"


def load_department(pk):
    return ScopedSQLAInterface(Department).get(pk)


def load_person(pk):
    return ScopedSQLAInterface(Person).get(pk)


def load_facility(pk):
    """Any live facility may host a meeting: venues are public places."""
    return ScopedSQLAInterface(Facility, apply_scope=False).get(pk)


def load_social_organization(pk):
    return ScopedSQLAInterface(SocialOrganization).get(pk)


LOOKUPS = {
    "social_organization": lambda: ScopedSQLAInterface(SocialOrganization),
    "department": lambda: ScopedSQLAInterface(Department),
    "person": lambda: ScopedSQLAInterface(Person),
    "facility": lambda: ScopedSQLAInterface(Facility, apply_scope=False),
}


def department_field(label, required=False):
    return AjaxSelectField(
        label, loader=load_department, view_endpoint=EDITOR, allow_blank=not required, lookup_column="department"
    )


def person_field(label):
    return AjaxSelectField(label, loader=load_person, view_endpoint=EDITOR, allow_blank=True, lookup_column="person")


class AgendaEntryForm(Form):
    """One agenda item row."""

    item_id = HiddenField()
    #: the item's version when the editor was opened: a change made elsewhere since is not undone
    item_version = HiddenField()
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=1, max=999)])
    title = StringField(_l("Agenda item"), validators=[DataRequired(), Length(max=300)])
    presenting_department = department_field(_l("Presenting department"))
    summary = TextAreaField(_l("Discussion summary"), validators=[Optional(), Length(max=20000)])


class ResolutionEntryForm(Form):
    """One resolution row."""

    item_id = HiddenField()
    #: the resolution's version when the editor was opened (the API and the board change it too)
    item_version = HiddenField()
    content = TextAreaField(_l("Resolution"), validators=[DataRequired(), Length(max=5000)])
    lead_department = department_field(_l("Lead department"), required=True)
    cooperating_departments = AjaxSelectMultipleField(
        _l("Cooperating departments"), loader=load_department, view_endpoint=EDITOR, lookup_column="department"
    )
    due_on = DateField(_l("Due date"), validators=[Optional()])


class MinutesForm(FlaskForm):
    """The meeting with its agenda and resolutions."""

    edit_version = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    session_number = IntegerField(_l("Session number"), validators=[Optional(), NumberRange(min=1, max=9999)])
    held_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    venue = AjaxSelectField(
        _l("Venue"), loader=load_facility, view_endpoint=EDITOR, allow_blank=True, lookup_column="facility"
    )
    convening_department = department_field(_l("Convening department"), required=True)
    chair = person_field(_l("Chair"))
    recorder = person_field(_l("Recorder"))
    participating_departments = AjaxSelectMultipleField(
        _l("Participating departments"), loader=load_department, view_endpoint=EDITOR, lookup_column="department"
    )
    participating_organizations = AjaxSelectMultipleField(
        _l("Participating social organizations"),
        loader=load_social_organization,
        view_endpoint=EDITOR,
        lookup_column="social_organization",
    )
    attendees = AjaxSelectMultipleField(
        _l("Attendees"), loader=load_person, view_endpoint=EDITOR, lookup_column="person"
    )
    absentees = AjaxSelectMultipleField(
        _l("Absentees"), loader=load_person, view_endpoint=EDITOR, lookup_column="person"
    )
    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=100000)])
    agenda = FieldList(FormField(AgendaEntryForm), min_entries=0, max_entries=100)
    resolutions = FieldList(FormField(ResolutionEntryForm), min_entries=0, max_entries=200)

    def validate(self, extra_validators=None) -> bool:
        """The field checks, then the rules across fields: nobody both present and absent,
        no resolution due before the meeting."""
        valid = super().validate(extra_validators)
        present = {p.id for p in self.attendees.data or []}
        both = [p.name for p in self.absentees.data or [] if p.id in present]
        if both:
            self.absentees.errors = list(self.absentees.errors) + [
                str(_l("%(names)s can't be both present and absent.", names=listing(both)))
            ]
            valid = False
        held = self.held_at.data
        for entry in self.resolutions:
            due = entry.form.due_on.data
            if held and due and due < held.date():
                entry.form.due_on.errors = list(entry.form.due_on.errors) + [
                    str(_l("The due date can't be before the meeting."))
                ]
                valid = False
        return valid
