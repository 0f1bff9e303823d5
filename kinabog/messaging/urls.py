from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("papirkurv/", views.trash_view, name="trash"),
    path("mapper/", views.create_folder_view, name="create_folder"),
    path("mapper/<int:folder_id>/", views.folder_view, name="folder"),
    path("ny/", views.compose_view, name="compose"),
    path("modtagere/", views.recipient_search_view, name="recipient_search"),
    path("autosvar/", views.auto_reply_view, name="auto_reply"),
    path("traad/<int:thread_id>/", views.thread_view, name="thread"),
    path("traad/<int:thread_id>/tilstand/", views.state_view, name="state"),
    path("traad/<int:thread_id>/forlad/", views.leave_view, name="leave"),
    path("traad/<int:thread_id>/videresend/", views.forward_view, name="forward"),
    path("traad/<int:thread_id>/modtagere/", views.add_recipients_view, name="add_recipients"),
    path("traad/<int:thread_id>/besked/<int:message_id>/ret/", views.edit_message_view, name="edit_message"),
    path("traad/<int:thread_id>/besked/<int:message_id>/slet/", views.delete_message_view, name="delete_message"),
    path("fil/<int:attachment_id>/", views.attachment_view, name="attachment"),
    path("faelles/administration/", views.common_inbox_admin_view, name="common_inbox_admin"),
    path("faelles/<int:common_inbox_id>/", views.common_inbox_view, name="common_inbox"),
    path("faelles/<int:common_inbox_id>/mapper/", views.create_folder_view, name="common_inbox_create_folder"),
    path("faelles/<int:common_inbox_id>/mapper/<int:folder_id>/", views.common_inbox_view, name="common_inbox_folder"),
    path(
        "faelles/<int:common_inbox_id>/traad/<int:thread_id>/",
        views.common_inbox_thread_view,
        name="common_inbox_thread",
    ),
    path(
        "faelles/<int:common_inbox_id>/traad/<int:thread_id>/tilstand/",
        views.common_inbox_state_view,
        name="common_inbox_state",
    ),
]
