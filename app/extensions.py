"""Flask extensions, created without an app and bound in ``create_app``."""

from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA
from flask_wtf.csrf import CSRFProtect

db = SQLA()
appbuilder = AppBuilder()
csrf = CSRFProtect()
