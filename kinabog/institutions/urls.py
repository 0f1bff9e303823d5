from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("profil/", views.profile_view, name="profile"),
    path("boern/<int:child_id>/", views.child_view, name="child"),
    path("boern/<int:child_id>/stamdata/", views.child_supplementary_view, name="child_supplementary"),
    path("grupper/<int:group_id>/", views.group_view, name="group"),
    path("administration/", views.administration_view, name="administration"),
    path("administration/<str:kind>/<int:scope_id>/rettigheder/", views.permissions_view, name="permissions"),
    path(
        "administration/institution/<int:institution_id>/laesestatus/",
        views.message_read_status_view,
        name="message_read_status",
    ),
    path("administration/kommune/<int:municipality_id>/kommunikation/", views.communication_view, name="communication"),
]
