"""Opslag: the feed, a post with its comments, writing, reporting and moderation. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kinabog.accounts.session import current_viewer
from kinabog.core.errors import InvalidInput, NotFound, Refused
from kinabog.core.files import IMAGE_TYPES
from kinabog.core.html import plain_text_to_html, to_editable_text, to_plain_text

from . import actions, attachments, queries
from .forms import CommentForm, DecisionForm, PostForm, PrinciplesForm, ReportForm


def _show_error(form: PostForm | CommentForm | ReportForm | DecisionForm | PrinciplesForm, error: InvalidInput) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
def feed_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    page = queries.feed(viewer, cursor=request.GET.get("cursor") or None)
    context = {"feed": page, "may_write_posts": queries.may_write_posts(viewer)}
    return render(request, "posts/feed.html", context)


@login_required
def new_post_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    targets = [(t.value, t.label) for t in queries.post_targets(viewer)]
    if not targets:
        raise NotFound
    form = PostForm(request.POST or None, request.FILES or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = attachments.create_post_with_files(
                viewer,
                files=data["attachments"],
                title=data["title"],
                content=plain_text_to_html(data["content"]),
                targets=data["targets"],
                roles=data["roles"],
                allow_comments=data["allow_comments"],
                important_until=data["important_until"],
            )
        except InvalidInput as error:
            _show_error(form, error)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your post is shared."))
            return redirect("posts:post", post.id)
    return render(request, "posts/new.html", {"form": form}, status=400 if form.errors else 200)


def _post_page(request: HttpRequest, post_id: int, form: CommentForm | None = None, status: int = 200) -> HttpResponse:
    detail = queries.post_detail(current_viewer(request), post_id)
    return render(request, "posts/post.html", {"detail": detail, "form": form or CommentForm()}, status=status)


@login_required
def post_view(request: HttpRequest, post_id: int) -> HttpResponse:
    if request.method != "POST":
        return _post_page(request, post_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _post_page(request, post_id, form, status=400)
    try:
        actions.add_comment(current_viewer(request), post_id, plain_text_to_html(form.cleaned_data["text"]))
    except InvalidInput as error:
        _show_error(form, error)
        return _post_page(request, post_id, form, status=400)
    except Refused as error:
        form.add_error(None, str(error))
        return _post_page(request, post_id, form, status=403)
    messages.success(request, _("Your comment is added."))
    return redirect("posts:post", post_id)


@login_required
@require_POST
def delete_post_view(request: HttpRequest, post_id: int) -> HttpResponse:
    try:
        actions.delete_post(current_viewer(request), post_id)
    except Refused as error:
        raise NotFound from error
    messages.success(request, _("The post is deleted."))
    return redirect("institutions:overview")


@login_required
def edit_comment_view(request: HttpRequest, post_id: int, comment_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    comment, _groups = queries.get_comment(viewer, post_id, comment_id)
    form = CommentForm(request.POST or None, initial={"text": to_plain_text(comment.text)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_comment(viewer, post_id, comment_id, plain_text_to_html(form.cleaned_data["text"]))
        except InvalidInput as error:
            _show_error(form, error)
        except Refused as error:
            raise NotFound from error
        else:
            messages.success(request, _("Your comment is saved."))
            return redirect("posts:post", post_id)
    context = {"form": form, "post_id": post_id}
    return render(request, "posts/edit_comment.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def delete_comment_view(request: HttpRequest, post_id: int, comment_id: int) -> HttpResponse:
    try:
        actions.delete_comment(current_viewer(request), post_id, comment_id)
    except Refused as error:
        raise NotFound from error
    messages.success(request, _("The comment is deleted."))
    return redirect("posts:post", post_id)


@login_required
def report_view(request: HttpRequest, post_id: int, comment_id: int | None = None) -> HttpResponse:
    viewer = current_viewer(request)
    if comment_id is None:
        post = queries.get_post(viewer, post_id)
    else:
        post = queries.get_comment(viewer, post_id, comment_id)[0].post
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.report(viewer, post_id, form.cleaned_data["reason"], comment_id)
        except InvalidInput as error:
            _show_error(form, error)
        except Refused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you. The administrators will look at it."))
            return redirect("posts:post", post_id)
    context = {
        "form": form,
        "post": post,
        "is_comment": comment_id is not None,
        "principles": queries.communication_principles(post.institution_id),
    }
    return render(request, "posts/report.html", context, status=400 if form.errors else 200)


@login_required
def moderation_view(request: HttpRequest) -> HttpResponse:
    viewer = current_viewer(request)
    reports = queries.moderation_queue(viewer)
    context = {"reports": reports, "form": DecisionForm(), "institutions": queries.moderated_institutions(viewer)}
    return render(request, "posts/moderation.html", context)


@login_required
def principles_view(request: HttpRequest, institution_id: int) -> HttpResponse:
    """Kommunikationsprincipper: the institution administrator's page to write them."""
    viewer = current_viewer(request)
    current = queries.principles_for_editing(viewer, institution_id)
    form = PrinciplesForm(request.POST or None, initial={"text": to_editable_text(current.html)})
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_communication_principles(viewer, institution_id, plain_text_to_html(form.cleaned_data["text"]))
        except InvalidInput as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The communication principles are saved."))
            return redirect("posts:principles", institution_id)
    context = {"form": form, "current": current}
    return render(request, "posts/principles.html", context, status=400 if form.errors else 200)


@login_required
def attachment_view(request: HttpRequest, attachment_id: int, thumbnail: bool = False) -> FileResponse:
    """A post's file for people who see the post (404 for everyone else). Pictures open in the browser."""
    row = queries.open_attachment(current_viewer(request), attachment_id)
    stored = row.thumbnail if thumbnail else row.file
    if not stored:
        raise NotFound
    try:
        handle = stored.open("rb")
    except FileNotFoundError:  # the row outlived its file (storage restored from an older copy)
        raise NotFound from None
    response = FileResponse(
        handle,
        as_attachment=row.content_type not in IMAGE_TYPES,
        filename=row.name,
        content_type=row.content_type,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def decide_view(request: HttpRequest, report_id: int) -> HttpResponse:
    viewer = current_viewer(request)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.handle_report(viewer, report_id, form.cleaned_data["decision"], form.cleaned_data["note"])
        except InvalidInput as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The report is handled."))
    else:
        queries.get_open_report(viewer, report_id)
        messages.error(request, _("Choose what to do with the content."))
    return redirect("posts:moderation")
