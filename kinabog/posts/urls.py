from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("", views.feed_view, name="feed"),
    path("nyt/", views.new_post_view, name="new"),
    path("anmeldelser/", views.moderation_view, name="moderation"),
    path("anmeldelser/<int:report_id>/", views.decide_view, name="decide"),
    path("principper/<int:institution_id>/", views.principles_view, name="principles"),
    path("fil/<int:attachment_id>/", views.attachment_view, name="attachment"),
    path("fil/<int:attachment_id>/miniature/", views.attachment_view, {"thumbnail": True}, name="thumbnail"),
    path("<int:post_id>/", views.post_view, name="post"),
    path("<int:post_id>/slet/", views.delete_post_view, name="delete"),
    path("<int:post_id>/anmeld/", views.report_view, name="report"),
    path("<int:post_id>/kommentar/<int:comment_id>/ret/", views.edit_comment_view, name="edit_comment"),
    path("<int:post_id>/kommentar/<int:comment_id>/slet/", views.delete_comment_view, name="delete_comment"),
    path("<int:post_id>/kommentar/<int:comment_id>/anmeld/", views.report_view, name="report_comment"),
]
