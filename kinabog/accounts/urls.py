from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("sikkerhed/", views.step_up_view, name="step_up"),
    path("rolle/", views.switch_role_view, name="switch_role"),
    path("sprog/", views.set_language_view, name="set_language"),
]
