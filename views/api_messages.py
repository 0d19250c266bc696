"""The REST APIs' 422 messages in the user's language.

marshmallow (through Flask-AppBuilder) answers a bad field with fixed English texts ("Not a valid
string.", "Longer than maximum length 20."); the platform's own rules answer in the user's language.
``translated`` turns the first into the second, everywhere in a {field: [messages]} answer.
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

EXACT = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field can't be empty."),
    "Unknown field.": _l("This field does not exist or can't be set here."),
    "Invalid input type.": _l("Send the record as a JSON object."),
    "Invalid type.": _l("This value has the wrong type."),
    "Invalid value.": _l("This value is not valid."),
    "Not a valid string.": _l("Enter text."),
    "Not a valid integer.": _l("Enter a whole number."),
    "Not a valid number.": _l("Enter a number."),
    "Number too large.": _l("The number is too large."),
    "Special numeric values (nan or infinity) are not permitted.": _l("Enter a finite number."),
    "Not a valid boolean.": _l("Enter true or false."),
    "Not a valid date.": _l("Enter a date as YYYY-MM-DD."),
    "Not a valid datetime.": _l("Enter a date and time as YYYY-MM-DDThh:mm:ss."),
    "Not a valid list.": _l("Send a list of record ids."),
    "Not a valid mapping type.": _l("Send a JSON object."),
}
LONGER_THAN = re.compile(r"^Longer than maximum length (\d+)\.$")
SHORTER_THAN = re.compile(r"^Shorter than minimum length (\d+)\.$")
RELATED = re.compile(r"^Could not deserialize related value ")


def translated(message):
    """``message`` (a text, a list or a {field: …} mapping) with marshmallow's texts translated."""
    if isinstance(message, dict):
        return {key: translated(value) for key, value in message.items()}
    if isinstance(message, list):
        return [translated(value) for value in message]
    if not isinstance(message, str):
        return message
    if message in EXACT:
        return str(EXACT[message])
    if found := LONGER_THAN.match(message):
        return _("Enter at most %(count)s characters.", count=int(found.group(1)))
    if found := SHORTER_THAN.match(message):
        return _("Enter at least %(count)s characters.", count=int(found.group(1)))
    if RELATED.match(message):
        return _("Choose an existing record by its id.")
    return message
