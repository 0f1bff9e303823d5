"""Komme/gå pages under /komme-gaa/. Add further pages as their own entries below their section."""

from django.urls import path

from . import api, views, views_admin, views_kiosk, views_leader

app_name = "presence"

urlpatterns = [
    path("", views.index_view, name="index"),
    # Staff: the day's children of an institution, and one child's day.
    path("institution/<int:institution_id>/", views.staff_view, name="staff"),
    path("institution/<int:institution_id>/registrer/", views.staff_action_view, name="staff_action"),
    path("barn/<int:child_id>/", views.child_day_view, name="child_day"),
    path("barn/<int:child_id>/registrer/", views.child_action_view, name="child_action"),
    # Guardians.
    path("barn/<int:child_id>/syg/", views.report_sick_view, name="report_sick"),
    path("barn/<int:child_id>/tider/", views.planned_times_view, name="planned_times"),
    path("barn/<int:child_id>/ferie/", views.vacation_view, name="vacation"),
    path("barn/<int:child_id>/hentepersoner/", views.pickup_people_view, name="pickup_people"),
    path(
        "barn/<int:child_id>/hentepersoner/<int:pickup_id>/fjern/",
        views.remove_pickup_person_view,
        name="remove_pickup_person",
    ),
    # Administrators: setup and kiosk screens.
    path("institution/<int:institution_id>/opsaetning/", views_admin.setup_view, name="setup"),
    path(
        "institution/<int:institution_id>/opsaetning/dag/<int:special_day_id>/slet/",
        views_admin.delete_special_day_view,
        name="delete_special_day",
    ),
    path(
        "institution/<int:institution_id>/opsaetning/sted/<int:location_id>/slet/",
        views_admin.remove_location_view,
        name="remove_location",
    ),
    path("institution/<int:institution_id>/skaerme/", views_admin.kiosks_view, name="kiosks"),
    path(
        "institution/<int:institution_id>/skaerme/<int:device_id>/tilbagekald/",
        views_admin.revoke_kiosk_view,
        name="revoke_kiosk",
    ),
    # The kiosk screen itself (no personal login).
    path("skaerm/", views_kiosk.screen_view, name="kiosk"),
    path("skaerm/barn/<int:child_id>/", views_kiosk.kiosk_child_view, name="kiosk_child"),
    # Leaders: occupancy, shifts, vacation requests, exports, integrations (views_leader).
    path("leder/", views_leader.leader_view, name="leader"),
    path("institution/<int:institution_id>/belaegning/", views_leader.occupancy_view, name="occupancy"),
    path("institution/<int:institution_id>/vagter/", views_leader.shifts_view, name="shifts"),
    path("institution/<int:institution_id>/vagter/kopier/", views_leader.copy_shifts_view, name="copy_shifts"),
    path(
        "institution/<int:institution_id>/vagter/<int:shift_id>/slet/",
        views_leader.delete_shift_view,
        name="delete_shift",
    ),
    path(
        "institution/<int:institution_id>/ferieanmodninger/",
        views_leader.vacation_requests_view,
        name="vacation_requests",
    ),
    path(
        "institution/<int:institution_id>/ferieanmodninger/ny/",
        views_leader.vacation_request_create_view,
        name="vacation_request_create",
    ),
    path("ferieanmodninger/<int:request_id>/", views_leader.vacation_request_view, name="vacation_request"),
    path("ferieanmodninger/<int:request_id>/paamind/", views_leader.vacation_remind_view, name="vacation_remind"),
    path("institution/<int:institution_id>/eksport/", views_leader.exports_view, name="exports"),
    path("institution/<int:institution_id>/integrationer/", views_leader.integrations_view, name="integrations"),
    path(
        "institution/<int:institution_id>/integrationer/noegle/<int:key_id>/tilbagekald/",
        views_leader.revoke_key_view,
        name="revoke_feed_key",
    ),
    path(
        "institution/<int:institution_id>/integrationer/webhook/<int:webhook_id>/stop/",
        views_leader.deactivate_webhook_view,
        name="deactivate_webhook",
    ),
    # Guardians: vacation requests to answer.
    path("ferieanmodninger/", views_leader.guardian_vacation_requests_view, name="guardian_vacation_requests"),
    path(
        "ferieanmodninger/<int:request_id>/barn/<int:child_id>/",
        views_leader.vacation_answer_view,
        name="vacation_answer",
    ),
    # External staffing systems: the check-in feed (a feed key, no login).
    path("feed/v1/events/", api.feed_events_view, name="feed_events"),
]
