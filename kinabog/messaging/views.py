"""Beskeder: inbox, thread and compose pages. Thin: parse, call a query or action, render."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kinabog.accounts.session import current_viewer
from kinabog.accounts.stepup import sensitive
from kinabog.core.errors import InvalidInput, NotFound, Refused, StepUpRequired
from kinabog.core.json_answer import json_answer
from kinabog.institutions.access import Viewer

from . import actions, attachments, display, listing, queries
from .forms import (
    GROUP_ROLES,
    AutoReplyForm,
    ChosenRecipients,
    ComposeForm,
    EditMessageForm,
    FolderForm,
    ForwardForm,
    PickerItem,
    ReplyForm,
    parse_recipients,
)

INLINE_TYPES = {attachments.JPEG, attachments.PNG}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _step_up(next_url: str) -> HttpResponse:
    return HttpResponseRedirect(f"{reverse('accounts:step_up')}?{urlencode({'next': next_url})}")


def _thread_url(thread_id: int, common_inbox_id: int | None = None) -> str:
    if common_inbox_id is None:
        return reverse("messaging:thread", args=[thread_id])
    return reverse("messaging:common_inbox_thread", args=[common_inbox_id, thread_id])


def _show_error(form: forms.Form, error: InvalidInput) -> str:
    """Put the action's message next to its field; the recipient picker's message is returned."""
    if error.field == "recipients":
        return error.message
    form.add_error(error.field if error.field in form.fields else None, error.message)
    return ""


# --- Lists: inbox, folders, trash, common inboxes ----------------------------------------------------


def _list_page(
    request: HttpRequest,
    viewer: Viewer,
    *,
    common_inbox_id: int | None = None,
    folder_id: int | None = None,
    trash: bool = False,
    folder_form: FolderForm | None = None,
    status: int = 200,
) -> HttpResponse:
    folders = queries.my_folders(viewer, common_inbox_id)
    folder = next((f for f in folders if f.id == folder_id), None)
    if folder_id is not None and folder is None:
        raise NotFound
    unread_only = request.GET.get("unread") == "1" and not trash
    page = listing.inbox(
        viewer,
        cursor=request.GET.get("cursor") or None,
        common_inbox_id=common_inbox_id,
        folder_id=folder_id,
        trash=trash,
        unread_only=unread_only,
    )
    common_inboxes = queries.my_common_inboxes(viewer)
    common_inbox = next((c for c in common_inboxes if c.id == common_inbox_id), None)
    if common_inbox is not None:
        heading = f"{common_inbox.name}: {folder.name}" if folder else common_inbox.name
    else:
        heading = _("Trash") if trash else folder.name if folder else _("Inbox")
    context = {
        "heading": heading,
        "entries": display.inbox_entries(viewer, page.subscriptions),
        "next_cursor": page.next_cursor,
        "is_first_page": not request.GET.get("cursor"),
        "unread_only": unread_only,
        "trash": trash,
        "folders": folders,
        "personal_folders": folders if common_inbox_id is None else queries.my_folders(viewer),
        "folder": folder,
        "common_inboxes": common_inboxes,
        "common_inbox": common_inbox,
        "folder_form": folder_form or FolderForm(),
        "may_write": queries.may_write(viewer),
        "is_staff": display.is_staff(viewer),
        "may_have_folders": common_inbox is not None or display.is_staff(viewer),
        "trash_days": actions.TRASH_DAYS,
    }
    return render(request, "messaging/inbox.html", context, status=status)


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    return _list_page(request, current_viewer(request))


@login_required
def trash_view(request: HttpRequest) -> HttpResponse:
    return _list_page(request, current_viewer(request), trash=True)


@login_required
def folder_view(request: HttpRequest, folder_id: int) -> HttpResponse:
    return _list_page(request, current_viewer(request), folder_id=folder_id)


@login_required
def common_inbox_view(request: HttpRequest, common_inbox_id: int, folder_id: int | None = None) -> HttpResponse:
    return _list_page(request, current_viewer(request), common_inbox_id=common_inbox_id, folder_id=folder_id)


@login_required
@require_POST
def create_folder_view(request: HttpRequest, common_inbox_id: int | None = None) -> HttpResponse:
    viewer = current_viewer(request)
    form = FolderForm(request.POST)
    form.is_valid()
    try:
        folder = actions.create_folder(viewer, form.cleaned_data.get("name", ""), common_inbox_id)
    except InvalidInput as error:
        _show_error(form, error)
        return _list_page(request, viewer, common_inbox_id=common_inbox_id, folder_form=form, status=400)
    except Refused as error:
        raise NotFound from error
    messages.success(request, _("The folder %(name)s is created.") % {"name": folder.name})
    if common_inbox_id is None:
        return redirect("messaging:folder", folder.id)
    return redirect("messaging:common_inbox_folder", common_inbox_id, folder.id)


# --- One thread ------------------------------------------------------------------------------------------


def _thread_page(
    request: HttpRequest,
    viewer: Viewer,
    thread_id: int,
    common_inbox_id: int | None,
    form: ReplyForm,
    status: int = 200,
) -> HttpResponse:
    subscription = actions.open_thread(viewer, thread_id, common_inbox_id)
    thread = subscription.thread
    loaded = queries.thread_messages(thread, before_id=_int(request.GET.get("before")))
    info = display.thread_info(viewer, subscription, common_inbox_id)
    context = {
        "info": info,
        "thread": thread,
        "subscription": subscription,
        "entries": display.message_entries(viewer, loaded),
        "older_before": loaded[0].id if len(loaded) == queries.MESSAGES_PAGE_SIZE else None,
        "read_status": display.read_status(viewer, subscription),
        "folders": queries.my_folders(viewer, common_inbox_id) if display.is_staff(viewer) else [],
        "form": form,
        "common_inbox_id": common_inbox_id,
        "common_inbox": subscription.common_inbox if common_inbox_id is not None else None,
        "thread_url": _thread_url(thread.id, common_inbox_id),
    }
    return render(request, "messaging/thread.html", context, status=status)


def _thread_or_reply(request: HttpRequest, thread_id: int, common_inbox_id: int | None) -> HttpResponse:
    viewer = current_viewer(request)
    if request.method != "POST":
        return _thread_page(request, viewer, thread_id, common_inbox_id, ReplyForm())
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _thread_page(request, viewer, thread_id, common_inbox_id, form, status=400)
    try:
        message = attachments.reply_with_files(
            viewer,
            thread_id,
            form.text_html(),
            files=form.cleaned_data["attachments"],
            to_sender_only=request.POST.get("to") == "sender",
            common_inbox_id=common_inbox_id,
        )
    except InvalidInput as error:
        _show_error(form, error)
        return _thread_page(request, viewer, thread_id, common_inbox_id, form, status=400)
    except Refused as error:
        form.add_error(None, str(error))
        return _thread_page(request, viewer, thread_id, common_inbox_id, form, status=403)
    if message.thread_id != thread_id:
        messages.success(request, _("Your answer is sent to the sender only."))
    else:
        messages.success(request, _("Your answer is sent."))
    return redirect(f"{_thread_url(message.thread_id, common_inbox_id)}#message-{message.id}")


@login_required
@sensitive
def thread_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Show a thread (opening marks it read) and take an answer to it."""
    return _thread_or_reply(request, thread_id, None)


@login_required
@sensitive
def common_inbox_thread_view(request: HttpRequest, common_inbox_id: int, thread_id: int) -> HttpResponse:
    return _thread_or_reply(request, thread_id, common_inbox_id)


STATE_CHANGES: dict[str, tuple[dict[str, bool], Any]] = {
    "mark": ({"marked": True}, gettext_lazy("The thread is marked as important.")),
    "unmark": ({"marked": False}, gettext_lazy("The thread is no longer marked as important.")),
    "mute": ({"muted": True}, gettext_lazy("You will not be notified about new answers in this thread.")),
    "unmute": ({"muted": False}, gettext_lazy("You will be notified about new answers in this thread again.")),
}


@login_required
@never_cache
def state_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    """The thread's buttons: important, mute, unread, trash, restore, folder, sensitive."""
    thread_url = _thread_url(thread_id)
    if request.method != "POST":
        return redirect(thread_url)
    viewer = current_viewer(request)
    op = request.POST.get("op", "")
    try:
        if op in STATE_CHANGES:
            changes, notice = STATE_CHANGES[op]
            actions.set_state(viewer, thread_id, **changes)
            messages.success(request, notice)
        elif op == "unread":
            actions.set_state(viewer, thread_id, read=False)
            messages.success(request, _("The thread is marked as unread."))
            return redirect("messaging:inbox")
        elif op == "trash":
            actions.move_to_trash(viewer, thread_id)
            notice = _("The thread is in the trash. You can restore it for %(days)s days.")
            messages.success(request, notice % {"days": actions.TRASH_DAYS})
            return redirect("messaging:inbox")
        elif op == "restore":
            actions.restore_from_trash(viewer, thread_id)
            messages.success(request, _("The thread is back in your inbox."))
        elif op == "folder":
            actions.move_to_folder(viewer, thread_id, _int(request.POST.get("folder")))
            messages.success(request, _("The thread is moved."))
        elif op in ("sensitive", "not_sensitive"):
            actions.set_sensitive(viewer, thread_id, op == "sensitive")
            if op == "sensitive":
                messages.success(request, _("The thread is marked as sensitive."))
            else:
                messages.success(request, _("The thread is no longer marked as sensitive."))
        else:
            raise NotFound
    except StepUpRequired:
        return _step_up(thread_url)
    except Refused as error:
        messages.error(request, str(error))
    return redirect(thread_url)


@login_required
@never_cache
def common_inbox_state_view(request: HttpRequest, common_inbox_id: int, thread_id: int) -> HttpResponse:
    thread_url = _thread_url(thread_id, common_inbox_id)
    if request.method != "POST":
        return redirect(thread_url)
    viewer = current_viewer(request)
    op = request.POST.get("op", "")
    if op == "unread":
        actions.mark_common_inbox_thread_unread(viewer, common_inbox_id, thread_id)
        messages.success(request, _("The thread is marked as unread."))
        return redirect("messaging:common_inbox", common_inbox_id)
    if op == "folder":
        folder_id = _int(request.POST.get("folder"))
        actions.move_common_inbox_thread_to_folder(viewer, common_inbox_id, thread_id, folder_id)
        messages.success(request, _("The thread is moved."))
        return redirect(thread_url)
    raise NotFound


@login_required
@sensitive
def leave_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    subscription = queries.get_subscription(viewer, thread_id)
    if request.method == "POST":
        actions.leave_thread(viewer, thread_id)
        messages.success(request, _("You have left the thread. You will not get its new answers."))
        return redirect("messaging:inbox")
    closed = subscription.thread.is_sensitive and not viewer.is_stepped_up
    context = {
        "title": _("Leave the thread"),
        "question": _("Leave this sensitive thread?")
        if closed
        else _("Leave the thread “%(subject)s”?") % {"subject": subscription.thread.subject},
        "detail": _("You will no longer see the thread or get its new answers. The others can still see it."),
        "button": _("Leave the thread"),
        "cancel_url": _thread_url(thread_id),
    }
    return render(request, "messaging/confirm.html", context)


@login_required
@sensitive
def edit_message_view(request: HttpRequest, thread_id: int, message_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    message = queries.own_message(viewer, thread_id, message_id)
    form = EditMessageForm(request.POST or None, initial={"text": display.editable_text(message.text)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.edit_message(viewer, thread_id, message_id, form.text_html())
            except InvalidInput as error:
                _show_error(form, error)
                status = 400
            else:
                messages.success(request, _("Your message is changed."))
                return redirect(f"{_thread_url(thread_id)}#message-{message_id}")
        else:
            status = 400
    context = {"form": form, "message": message, "cancel_url": _thread_url(thread_id)}
    return render(request, "messaging/edit_message.html", context, status=status)


@login_required
@sensitive
def delete_message_view(request: HttpRequest, thread_id: int, message_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    queries.own_message(viewer, thread_id, message_id)
    if request.method == "POST":
        attachments.delete_message(viewer, thread_id, message_id)
        messages.success(request, _("Your message is deleted."))
        return redirect(_thread_url(thread_id))
    context = {
        "title": _("Delete message"),
        "question": _("Delete your message?"),
        "detail": _("The others will see that a message was deleted, but not what it said."),
        "button": _("Delete message"),
        "cancel_url": _thread_url(thread_id),
    }
    return render(request, "messaging/confirm.html", context)


@login_required
@sensitive
def attachment_view(request: HttpRequest, attachment_id: int) -> HttpResponse:
    row = attachments.open_attachment(current_viewer(request), attachment_id)
    # A streamed response; the step-up wrapper only adds headers, which any response takes.
    return cast(
        HttpResponse,
        FileResponse(
            row.file.open("rb"),
            as_attachment=row.content_type not in INLINE_TYPES,
            filename=row.name,
            content_type=row.content_type,
        ),
    )


# --- Writing: compose, forward, add recipients ------------------------------------------------------


def _picker(request: HttpRequest, viewer: Viewer, chosen: ChosenRecipients, error: str = "") -> dict[str, Any]:
    """The recipient picker: chosen recipients (checked) and, after "Find", the matches (unchecked)."""
    searched = request.method == "POST" and request.POST.get("action") == "search"
    query = request.POST.get("q", "").strip()[:100] if searched else ""
    r = chosen.recipients
    described = queries.describe_recipients(
        viewer,
        profile_ids=r.profile_ids,
        group_ids=[g for g, _role in r.groups],
        common_inbox_ids=r.common_inbox_ids,
    )
    chosen_items = [
        PickerItem(c.kind, c.id, c.label, c.detail, chosen.group_roles.get(c.id, "") if c.kind == "group" else "")
        for c in described
    ]
    tokens = {item.token for item in chosen_items}
    found = []
    if searched and query:
        found = [
            PickerItem(c.kind, c.id, c.label, c.detail)
            for c in queries.find_recipients(viewer, query)
            if f"{c.kind}:{c.id}" not in tokens
        ]
    return {
        "chosen": chosen_items,
        "found": found,
        "query": query,
        "searched": searched,
        "error": error,
        "group_roles": GROUP_ROLES,
    }


def _wants_send(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "send"


@login_required
@sensitive
def compose_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    if not queries.may_write(viewer):
        return render(request, "messaging/cannot_write.html", status=403)
    chosen = parse_recipients(request.POST if request.method == "POST" else request.GET)
    form = ComposeForm(
        request.POST or None, request.FILES or None, initial={"sensitive": request.GET.get("sensitive") == "1"}
    )
    recipient_error = ""
    status = 200
    if _wants_send(request):
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = attachments.start_thread_with_files(
                    viewer,
                    subject=data["subject"],
                    text=form.text_html(),
                    recipients=chosen.recipients,
                    sensitive=data["sensitive"],
                    files=data["attachments"],
                )
            except InvalidInput as error:
                recipient_error = _show_error(form, error)
                status = 400
            except Refused as error:
                form.add_error(None, str(error))
                status = 403
            except StepUpRequired:
                messages.info(
                    request,
                    _("A sensitive message needs an extra check that it is you. Confirm with your code and write it."),
                )
                raise
            else:
                messages.success(request, _("Your message is sent."))
                return redirect("messaging:thread", thread.id)
        else:
            status = 400
    back_here = reverse("messaging:compose") + "?sensitive=1"
    context = {
        "form": form,
        "picker": _picker(request, viewer, chosen, recipient_error),
        # A browser cannot fill a file field again: after a search or an error the files are chosen again.
        "files_lost": request.method == "POST" and bool(request.FILES),
        "step_up_url": f"{reverse('accounts:step_up')}?{urlencode({'next': back_here})}",
    }
    return render(request, "messaging/compose.html", context, status=status)


@login_required
@sensitive
def forward_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    subscription = actions.open_thread(viewer, thread_id)
    chosen = parse_recipients(request.POST if request.method == "POST" else QueryDict())
    form = ForwardForm(request.POST or None)
    recipient_error = ""
    status = 200
    if _wants_send(request):
        if form.is_valid():
            try:
                forwarded = actions.forward(viewer, thread_id, recipients=chosen.recipients, text=form.text_html())
            except InvalidInput as error:
                recipient_error = _show_error(form, error)
                status = 400
            except Refused as error:
                form.add_error(None, str(error))
                status = 403
            else:
                messages.success(request, _("The thread is forwarded."))
                return redirect("messaging:thread", forwarded.id)
        else:
            status = 400
    context = {
        "form": form,
        "thread": subscription.thread,
        "picker": _picker(request, viewer, chosen, recipient_error),
        "cancel_url": _thread_url(thread_id),
        "mode": "forward",
    }
    return render(request, "messaging/recipients_form.html", context, status=status)


@login_required
@sensitive
def add_recipients_view(request: HttpRequest, thread_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    subscription = actions.open_thread(viewer, thread_id)
    chosen = parse_recipients(request.POST if request.method == "POST" else QueryDict())
    form = forms.Form(request.POST or None)
    recipient_error = ""
    status = 200
    if _wants_send(request):
        try:
            added = actions.add_recipients(viewer, thread_id, chosen.recipients)
        except InvalidInput as error:
            recipient_error = _show_error(form, error)
            status = 400
        except Refused as error:
            form.add_error(None, str(error))
            status = 403
        else:
            if added:
                messages.success(request, _("The recipients are added. They can see the whole thread."))
            else:
                messages.info(request, _("The chosen recipients were already in the thread."))
            return redirect(_thread_url(thread_id))
    context = {
        "form": form,
        "thread": subscription.thread,
        "picker": _picker(request, viewer, chosen, recipient_error),
        "cancel_url": _thread_url(thread_id),
        "mode": "add",
    }
    return render(request, "messaging/recipients_form.html", context, status=status)


@login_required
@never_cache
def recipient_search_view(request: HttpRequest) -> HttpResponse:
    """Autocomplete for the recipient picker (recipients.js): the same search as its "Find" button."""
    found = queries.find_recipients(current_viewer(request), request.GET.get("q", "")[:100])
    return json_answer(
        {
            "results": [
                {"value": f"{c.kind}:{c.id}", "kind": c.kind, "id": c.id, "label": c.label, "detail": c.detail}
                for c in found
            ]
        }
    )


# --- Auto-reply --------------------------------------------------------------------------------------


@login_required
def auto_reply_view(request: HttpRequest) -> HttpResponse:
    """Autosvar: staff set a period and a text; it answers once per thread in that period."""
    viewer = current_viewer(request)
    if not display.is_staff(viewer):
        raise NotFound
    current = queries.my_auto_reply(viewer)
    initial = {}
    if current is not None:
        initial = {
            "starts_at": timezone.localtime(current.starts_at),
            "ends_at": timezone.localtime(current.ends_at),
            "text": display.editable_text(current.text),
        }
    form = AutoReplyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "clear":
            actions.clear_auto_reply(viewer)
            messages.success(request, _("The auto-reply is switched off."))
            return redirect("messaging:auto_reply")
        if form.is_valid():
            try:
                actions.set_auto_reply(
                    viewer,
                    text=form.text_html(),
                    starts_at=form.cleaned_data["starts_at"],
                    ends_at=form.cleaned_data["ends_at"],
                )
            except InvalidInput as error:
                _show_error(form, error)
                status = 400
            except Refused as error:
                raise NotFound from error
            else:
                messages.success(request, _("The auto-reply is saved."))
                return redirect("messaging:auto_reply")
        else:
            status = 400
    return render(request, "messaging/auto_reply.html", {"form": form, "current": current}, status=status)


@login_required
def common_inbox_admin_view(request: HttpRequest) -> HttpResponse:
    """Institution administrators create common inboxes and decide who works in them."""
    viewer = current_viewer(request)
    administration = queries.common_inbox_administration(viewer)
    if not administration:
        raise NotFound
    error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "create":
                actions.create_common_inbox(
                    viewer, _int(request.POST.get("institution")) or 0, request.POST.get("name", "")
                )
                messages.success(request, _("The common inbox is created."))
            elif action in {"add", "remove"}:
                inbox_id = _int(request.POST.get("inbox")) or 0
                profile_id = _int(request.POST.get("profile")) or 0
                if action == "add":
                    actions.add_common_inbox_member(viewer, inbox_id, profile_id)
                else:
                    actions.remove_common_inbox_member(viewer, inbox_id, profile_id)
                messages.success(request, _("The members are saved."))
            else:
                raise InvalidInput(_("Choose what to do."))
        except InvalidInput as invalid:
            error, status = invalid.message, 400
        else:
            return redirect("messaging:common_inbox_admin")
    context = {"administration": administration, "error": error}
    return render(request, "messaging/common_inbox_admin.html", context, status=status)
