"""Admin wiring for the booking engine: the "Bookings" menu of venue managers.

Resources and closures are model viewsets whose create and edit views save through
``bookings.inventory``; the bookings list, the day view, the occupancy report and the team
calendar page (the venue's feeds) are custom views (all in ``bookings.admin``). All of them answer
to ``VenueScopedPermissionPolicy``: a manager sees and changes their own venues' things only
(network admins: every venue's).
"""

from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from bookings import presentation
from bookings.admin import approvals, booking_views, day, resources, team_feed
from bookings.admin.forms import ClosureFilterSet, ClosureForm, ResourceFilterSet, ResourceForm, VenueHoursPanel
from bookings.models import Booking, Closure, Resource
from core.formatting import money_label
from venues.permissions import VenueScopedPermissionPolicy, manages_any_venue

# Registered before any view asks, or Wagtail would fall back on global model permissions.
register_permission_policy(Resource, VenueScopedPermissionPolicy(Resource, "venue"))
register_permission_policy(Closure, VenueScopedPermissionPolicy(Closure, "venue"))
register_permission_policy(Booking, VenueScopedPermissionPolicy(Booking, "resource__venue"))


def _price(resource) -> str:
    if resource.is_free:
        return str(_("Free"))
    return f"{money_label(resource.price_minor, resource.currency)} {resource.get_pricing_unit_display()}"


def _capacity(resource) -> str:
    """What the resource holds, as bookers read it: "Up to 17 people", "13 desks" (not the
    booking ``capacity`` of 1 every room and named desk has)."""
    return presentation.capacity_label(resource) or "—"


class ResourceViewSet(ModelViewSet):
    """Desks, desk pools and rooms of the manager's venues, with their price, rules and hours."""

    model = Resource
    icon = "desktop"
    menu_label = _("Resources")
    url_prefix = "bookings/resources"
    index_view_class = resources.ResourceIndexView
    add_view_class = resources.ResourceCreateView
    edit_view_class = resources.ResourceEditView
    delete_view_class = resources.ResourceDeleteView
    history_view_class = resources.ScopedHistoryView
    usage_view_class = resources.ScopedUsageView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    filterset_class = ResourceFilterSet
    search_fields = ["name", "description"]
    search_backend_name = None
    ordering = ["venue__title", "kind", "name"]
    list_display = [
        "name",
        Column("venue", label=_("Venue"), accessor="venue.title", sort_key="venue__title"),
        Column("kind", label=_("Kind"), accessor="get_kind_display", sort_key="kind"),
        Column("capacity", label=_("Capacity"), accessor=_capacity),
        Column("price", label=_("Price"), accessor=_price),
        BooleanColumn("is_active", label=_("Bookable")),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("venue"),
                    FieldRowPanel([FieldPanel("kind"), FieldPanel("name")]),
                    FieldPanel("description"),
                    FieldPanel("photo"),
                    FieldRowPanel([FieldPanel("capacity"), FieldPanel("seats")]),
                    FieldPanel("is_active"),
                ],
                heading=_("Resource"),
            ),
            ObjectList(
                [
                    FieldRowPanel([FieldPanel("price"), FieldPanel("currency"), FieldPanel("pricing_unit")]),
                    FieldPanel("pay_at_venue"),
                ],
                heading=_("Price"),
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [
                            FieldPanel("booking_unit"),
                            FieldRowPanel(
                                [FieldPanel("slot_minutes"), FieldPanel("min_minutes"), FieldPanel("max_minutes")]
                            ),
                            FieldRowPanel(
                                [FieldPanel("lead_minutes"), FieldPanel("horizon_days"), FieldPanel("buffer_minutes")]
                            ),
                        ],
                        heading=_("When and how long"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldRowPanel([FieldPanel("max_per_day"), FieldPanel("max_per_week")]),
                            FieldPanel("approval_required"),
                        ],
                        heading=_("Who may book"),
                    ),
                    MultiFieldPanel(
                        [
                            FieldRowPanel(
                                [
                                    FieldPanel("free_cancel_hours"),
                                    FieldPanel("late_cancellation"),
                                    FieldPanel("late_refund_percent"),
                                ]
                            )
                        ],
                        heading=_("Cancellation"),
                    ),
                ],
                heading=_("Rules"),
            ),
            ObjectList(
                [
                    VenueHoursPanel(heading=_("Venue hours")),
                    InlinePanel(
                        "hours",
                        heading=_("This resource's own hours"),
                        help_text=_(
                            "They replace the venue's hours when given. Several ranges a day; 00:00 closes at midnight."
                        ),
                        label=_("Opening hours"),
                        panels=[FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")])],
                    ),
                ],
                heading=_("Hours"),
            ),
        ],
        base_form_class=ResourceForm,
    )


class ClosureViewSet(ModelViewSet):
    """Days a venue, or one of its resources, is closed: one day, a range, or every year."""

    model = Closure
    icon = "lock"
    menu_label = _("Closures")
    url_prefix = "bookings/closures"
    index_view_class = resources.ClosureIndexView
    add_view_class = resources.ClosureCreateView
    edit_view_class = resources.ClosureEditView
    delete_view_class = resources.ClosureDeleteView
    history_view_class = resources.ScopedHistoryView
    usage_view_class = resources.ScopedUsageView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    filterset_class = ClosureFilterSet
    ordering = ["-first_day"]
    list_display = [
        "__str__",
        Column("venue", label=_("Venue"), accessor="venue.title", sort_key="venue__title"),
        Column("resource", label=_("Resource"), accessor=lambda c: c.resource.name if c.resource else _("Whole venue")),
        Column("first_day", label=_("First day"), sort_key="first_day"),
        Column("last_day", label=_("Last day"), sort_key="last_day"),
        BooleanColumn("yearly", label=_("Every year")),
    ]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("venue"), FieldPanel("resource")]),
            FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day"), FieldPanel("yearly")]),
            FieldPanel("reason"),
            VenueHoursPanel(heading=_("Venue hours")),
        ],
        base_form_class=ClosureForm,
    )


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return manages_any_venue(request.user)


class ManagerViewSet(ViewSet):
    """A custom admin view in the Bookings menu, shown to venue managers only."""

    menu_item_class = ManagerMenuItem
    view_class = None

    def get_urlpatterns(self):
        return [path("", self.view_class.as_view(), name="index")]


class BookingViewSet(ManagerViewSet):
    name = "booking_list"
    url_prefix = "bookings"
    icon = "list-ul"
    menu_label = _("All bookings")

    def get_urlpatterns(self):
        index = {"index_url_name": "booking_list:index", "index_results_url_name": "booking_list:index_results"}
        return [
            path("", booking_views.BookingIndexView.as_view(**index), name="index"),
            path("results/", booking_views.BookingIndexView.as_view(**index, results_only=True), name="index_results"),
            path("<int:pk>/", booking_views.BookingDetailView.as_view(), name="detail"),
            path("<int:pk>/refund/", booking_views.BookingRefundView.as_view(), name="refund"),
            path("<int:pk>/confirm/<slug:action>/", approvals.BookingConfirmView.as_view(), name="confirm"),
            path("<int:pk>/<slug:action>/", booking_views.BookingActionView.as_view(), name="action"),
        ]


class DayViewSet(ManagerViewSet):
    name = "booking_day"
    url_prefix = "bookings/day"
    icon = "calendar"
    menu_label = _("Who is in")
    view_class = day.DayView


class OccupancyViewSet(ManagerViewSet):
    name = "booking_occupancy"
    url_prefix = "bookings/occupancy"
    icon = "table"
    menu_label = _("Occupancy")
    view_class = day.OccupancyView


class TeamFeedViewSet(ManagerViewSet):
    name = "booking_team_feed"
    url_prefix = "bookings/team-calendar"
    icon = "link"
    menu_label = _("Team calendar")

    def get_urlpatterns(self):
        return [
            path("", team_feed.TeamFeedIndexView.as_view(), name="index"),
            path("<int:pk>/", team_feed.TeamFeedView.as_view(), name="venue"),
            path("<int:pk>/renew/", team_feed.TeamFeedRenewView.as_view(), name="renew"),
        ]


#: Apps above bookings add their screens to the Bookings menu by registering a menu item (or a
#: viewset with this ``menu_hook``) under this hook name (``calendars``: "Outside calendars").
BOOKINGS_MENU_HOOK = "register_bookings_menu_item"


class BookingsMenu(ViewSetGroup):
    menu_label = _("Bookings")
    menu_icon = "calendar-check"
    menu_order = 250
    submenu_hook = BOOKINGS_MENU_HOOK
    items = (
        DayViewSet(),
        BookingViewSet(),
        ResourceViewSet("booking_resources"),
        ClosureViewSet("booking_closures"),
        OccupancyViewSet(),
        TeamFeedViewSet(),
    )


@hooks.register("register_admin_viewset")
def register_bookings_menu():
    return BookingsMenu()


@hooks.register("construct_homepage_panels")
def add_today_panel(request, panels):
    if manages_any_venue(request.user):
        panels.append(day.TodayPanel(request.user))
        panels.append(approvals.RequestsPanel(request.user))


#: Under a booking's actions, in the lists, the day view and the dashboard: the closure it falls on
#: (in the error colour) and why an action waits (muted); approve and reject side by side.
LIST_NOTES_CSS = """<style>
.essaim-decide { display: flex; flex-wrap: wrap; gap: .5rem; }
.essaim-decide .button { margin: 0; }
.essaim-clashes a { color: inherit; text-decoration: underline; font-weight: 600; }
.essaim-closed, .essaim-waiting { display: block; margin-top: .25rem; }
.essaim-closed { color: var(--w-color-text-error, #cd4444); font-weight: 600; }
.essaim-waiting { color: var(--w-color-text-meta, #5c5c5c); }
</style>"""


@hooks.register("insert_global_admin_css")
def list_notes_css():
    return mark_safe(LIST_NOTES_CSS)  # noqa: S308 (a constant)
