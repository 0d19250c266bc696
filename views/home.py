"""The home page (工作台): the user's registers and their live counts within scope."""

from flask import g, url_for
from flask_appbuilder import IndexView, expose
from flask_babel import lazy_gettext as _l

from app.datamodel import ScopedSQLAInterface
from app.extensions import appbuilder, db
from models import Booking, Department, Facility, Person, Region

HOME_TILES = (
    ("Region", Region, "RegionView.list", _l("Regions"), "fa-map"),
    ("Department", Department, "DepartmentView.list", _l("Departments"), "fa-sitemap"),
    ("Person", Person, "PersonView.list", _l("Persons"), "fa-users"),
    ("Facility", Facility, "FacilityView.list", _l("Facilities"), "fa-building"),
    ("Booking", Booking, "BookingView.list", _l("Bookings"), "fa-calendar"),
)


class HomeView(IndexView):
    """Signed-in users see a tile per register they may read, with its count in their scope."""

    index_template = "platform/home.html"

    @expose("/")
    def index(self):
        tiles = []
        user = getattr(g, "user", None)
        if user is not None and user.is_authenticated:
            for permission_view, model, endpoint, label, icon in HOME_TILES:
                if appbuilder.sm.has_access("can_read", permission_view):
                    interface = ScopedSQLAInterface(model)
                    count = interface.restrict(db.session.query(model.id)).count()
                    tiles.append({"label": label, "count": count, "url": url_for(endpoint), "icon": icon})
        return self.render_template(self.index_template, appbuilder=self.appbuilder, tiles=tiles)
