"""Flask-AppBuilder strings that its bundled zh catalog lacks (or leaves empty or fuzzy).

Nothing imports this module at run time. It exists so that ``pybabel extract`` (see
``make translations``) puts these msgids into OUR catalog, where they get a zh
translation; Flask-AppBuilder merges its own catalog first and ours overrides it.

Each msgid is copied verbatim from Flask-AppBuilder 5.3's templates and Python code
(list/show/edit buttons, search filters, flash messages, user/role/group security
screens, the profile and password forms). Strings only used by features this app
doesn't enable (OAuth/SAML login) are left out.
To find new gaps after an upgrade, extract the flask_appbuilder package into a
temporary pot and compare it with flask_appbuilder/translations/zh/LC_MESSAGES/messages.po.
"""

from flask_babel import lazy_gettext as _l

FAB_GAPS = (
    # row buttons and confirmation (templates/appbuilder/general/lib.html)
    _l("Add"),
    _l("Show"),
    _l("Edit"),
    _l("Delete"),
    _l("Are you sure you want to delete this item?"),
    # search filters (models/sqla/filters.py)
    _l("In"),
    _l("Not In"),
    # search filters of views on the generic (non-SQL) data model (models/generic/filters.py)
    _l("Contains (insensitive)"),
    _l("Start with"),
    # flash messages and field errors (baseviews.py, fields.py)
    _l("Database Error"),
    _l("Not a valid choice"),
    # user, role and group screens (security/views.py, security/forms.py, security/manager.py)
    _l("It's not a good policy to remove a user, just make it inactive"),
    _l("The user's password for authentication"),
    _l("The user group on the application, this will associate with a list of roles associated with the group"),
    _l("User(s) exists in the role, cannot delete"),
    _l("User(s) exists in the group, cannot delete"),
    _l("Either select a role or a group"),
    _l("List Groups"),
    _l("Groups"),
    _l("Add Group"),
    _l("Edit Group"),
    _l("Show Group"),
    # profile (security/views.py)
    _l("Edit User Information"),
    _l("User information changed"),
    # password complexity, shown when FAB_PASSWORD_COMPLEXITY_ENABLED is set (validators.py)
    _l(
        "Must have at least two capital letters, one special character, two digits, "
        "three lower case letters and a minimal length of 10."
    ),
)

#: Flask-AppBuilder strings whose bundled zh translation is misleading; ours replaces it
FAB_OVERRIDES = (
    _l("Starts with"),
    _l("Ends with"),
    _l("Not Starts with"),
    _l("Not Ends with"),
    _l("Integrity error, probably unique constraint"),
)
