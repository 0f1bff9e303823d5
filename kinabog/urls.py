from django.urls import include, path

from kinabog.core.views import healthz, ping

# Django tries the patterns in order, each in 2–3 µs: the Aula API first (the apps' calls are most of the
# requests), then the sections under a prefix of their own, and last the pages at the root (sign-in, overview,
# profile, children, groups, administration), whose include has to try each of its patterns. No two entries
# match the same address, so the order changes only how soon an address is found.
urlpatterns = [
    path("api/ping", ping, name="ping"),
    path("api/", include("kinabog.aula_api.urls")),
    path("komme-gaa/", include("kinabog.presence.urls")),
    path("beskeder/", include("kinabog.messaging.urls")),
    path("opslag/", include("kinabog.posts.urls")),
    path("notifikationer/", include("kinabog.notifications.urls")),
    path("kalender/", include("kinabog.calendar.urls")),
    path("samtykker/", include("kinabog.consents.urls")),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("healthz", healthz, name="healthz"),
    path("", include("kinabog.accounts.urls")),
    path("", include("kinabog.institutions.urls")),
]

handler404 = "kinabog.core.handlers.not_found"
handler500 = "kinabog.core.handlers.server_error"
