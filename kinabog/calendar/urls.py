from django.urls import path

from . import views, views_birthdays, views_browse, views_events, views_resources

app_name = "calendar"

urlpatterns = [
    path("", views.week_view, name="week"),
    path("dag/", views_browse.day_view, name="day"),
    path("maaned/", views_browse.month_view, name="month"),
    path("agenda/", views_browse.agenda_view, name="agenda"),
    path("gruppe/<int:group_id>/", views_browse.group_calendar_view, name="group"),
    path("gruppe/<int:group_id>/foedselsdage/", views_birthdays.birthdays_view, name="birthdays"),
    path("barn/<int:child_id>/", views_browse.child_calendar_view, name="child"),
    path("ny/", views_events.create_event_view, name="create_event"),
    path("begivenhed/<int:event_id>/", views.event_view, name="event"),
    path("begivenhed/<int:event_id>/rediger/", views_events.edit_event_view, name="edit_event"),
    path("begivenhed/<int:event_id>/slet/", views_events.delete_event_view, name="delete_event"),
    path("begivenhed/<int:event_id>/aflys/", views_events.cancel_occurrence_view, name="cancel_occurrence"),
    path("begivenhed/<int:event_id>/flyt/", views_events.move_occurrence_view, name="move_occurrence"),
    path("begivenhed/<int:event_id>/gendan/", views_events.restore_occurrence_view, name="restore_occurrence"),
    path("begivenhed/<int:event_id>/svar/<int:invitation_id>/", views.answer_view, name="answer"),
    path("begivenhed/<int:event_id>/paamind/", views.remind_view, name="remind"),
    path("fil/<int:attachment_id>/", views.attachment_view, name="attachment"),
    path("samtaler/ny/", views.create_conference_view, name="create_conference"),
    path("samtaler/<int:event_id>/tider/", views.slots_view, name="slots"),
    path("samtaler/<int:event_id>/book/", views.book_view, name="book"),
    path("abonnement/", views.feed_settings_view, name="feed_settings"),
    path("ical/<str:token>.ics", views.ical_view, name="ical"),
    path("ressourcer/", views_resources.resources_view, name="resources"),
    path("ressourcer/<int:resource_id>/", views_resources.resource_week_view, name="resource"),
    path("ressourcer/<int:resource_id>/rediger/", views_resources.edit_resource_view, name="resource_edit"),
    path("ressourcer/<int:resource_id>/aktiv/", views_resources.resource_active_view, name="resource_active"),
    path("ressourcer/<int:resource_id>/slet/", views_resources.delete_resource_view, name="resource_delete"),
]
