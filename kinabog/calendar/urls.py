from django.urls import path

from . import views

app_name = "calendar"

urlpatterns = [
    path("", views.week_view, name="week"),
    path("ny/", views.create_event_view, name="create_event"),
    path("begivenhed/<int:event_id>/", views.event_view, name="event"),
    path("begivenhed/<int:event_id>/svar/<int:invitation_id>/", views.answer_view, name="answer"),
    path("samtaler/ny/", views.create_conference_view, name="create_conference"),
    path("samtaler/<int:event_id>/tider/", views.slots_view, name="slots"),
    path("samtaler/<int:event_id>/book/", views.book_view, name="book"),
    path("abonnement/", views.feed_settings_view, name="feed_settings"),
    path("ical/<str:token>.ics", views.ical_view, name="ical"),
]
