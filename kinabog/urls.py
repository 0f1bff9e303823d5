from django.urls import include, path

from kinabog.core.views import healthz, ping

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("kinabog.accounts.urls")),
    path("", include("kinabog.institutions.urls")),
    path("beskeder/", include("kinabog.messaging.urls")),
    path("opslag/", include("kinabog.posts.urls")),
    path("notifikationer/", include("kinabog.notifications.urls")),
    path("komme-gaa/", include("kinabog.presence.urls")),
    path("kalender/", include("kinabog.calendar.urls")),
    path("samtykker/", include("kinabog.consents.urls")),
    path("api/ping", ping, name="ping"),
    path("api/", include("kinabog.aula_api.urls")),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]

handler404 = "kinabog.core.handlers.not_found"
handler500 = "kinabog.core.handlers.server_error"
