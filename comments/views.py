import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Profile
from definition import views as reading
from definition.models import ClauseText, Definition, Version
from docket import markdown, pagecache
from docket.pagecache import public_page

from . import actions, notifications
from .forms import CommentForm, EditForm, EndorseForm, LookupForm, ReplyForm
from .models import Comment, parse_tracking_number
from .threads import clause_comments, comment_counts, page_of


def _posting_state(request, version) -> dict:
    allowed, reason = actions.can_comment(request.user)
    return {"can_comment": allowed, "cannot_comment_because": reason, "comments_open": version.comments_open}


# The reading pages, with comments added (definition knows nothing of comments).


def _version_extras(request, context):
    version = context["version"]
    counts = functools.cache(lambda: comment_counts(version))

    # Live parts of the version page: the clauses' text is kept for good once published, their
    # comment counts are read on every request (one query), and filled in twice per clause.
    return {
        "comment_count": lambda clause_id: _comment_count(counts().get(int(clause_id), 0)),
        "toc_comment_count": lambda clause_id: _toc_comment_count(counts().get(int(clause_id), 0)),
        "comments_shown": True,
        **_posting_state(request, version),
    }


def _clause_extras(request, context):
    version, text = context["version"], context["text"]
    extras = clause_comments(
        clause_text=text,
        version=version,
        user=request.user,
        sort=request.GET.get("sort", "oldest"),
        requested_page=request.GET.get("page", 1),
        versions=context["versions"],
    )
    form = CommentForm(initial={"quote": request.GET.get("quote", "")})
    return {**extras, "form": form, **_posting_state(request, version)}


# Made once per number, not once per clause and request: a page fills in two hundred of them.
@functools.lru_cache(maxsize=1024)
def _comment_count(n: int) -> str:
    return format_html("{} comment{}", n, pluralize(n)) if n else mark_safe("No comments yet")


@functools.lru_cache(maxsize=1024)
def _toc_comment_count(n: int) -> str:
    return format_html(' <span class="comment-count">({} comment{})</span>', n, pluralize(n)) if n else ""


VERSION_PAGE = reading.Page("comments/version.html", _version_extras)
CLAUSE_PAGE = reading.Page("comments/clause.html", _clause_extras)


@public_page
def latest_version(request, slug):
    return reading.latest_version(request, slug, page=VERSION_PAGE)


@public_page
def version_page(request, slug, label):
    return reading.version_detail(request, slug, label, page=VERSION_PAGE)


@public_page
def clause_page(request, slug, label, key):
    return reading.clause_detail(request, slug, label, key, page=CLAUSE_PAGE)


# Writing


def _clause_text_or_404(version_pk, key) -> ClauseText:
    """A published version's clause text, with its version, definition and clause: what every
    post and reply form starts from. Kept under the record's generation (it changes only when
    the record does: a version closing for comments too), while the page cache is on."""
    return pagecache.keep(
        f"published-clause-text:{version_pk}:{key}",
        lambda: get_object_or_404(
            ClauseText.objects.select_related("version__definition", "clause"),
            version_id=version_pk,
            version__status=Version.Status.PUBLISHED,
            clause__key=key,
        ),
        pagecache.record_generation,
    )


def _clause_url(clause_text, comment=None):
    url = reverse(
        "definition:clause",
        args=[clause_text.version.definition.slug, clause_text.version.label, clause_text.clause.key],
    )
    if comment is None:
        return url + "#comment-form"
    page = page_of(comment)
    return url + (f"?page={page}" if page > 1 else "") + f"#comment-{comment.pk}"


def _refuse_if_cannot_post(request, version):
    allowed, reason = actions.can_comment(request.user)
    if not allowed and reason == "sign-in":
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not allowed:
        return render(request, "comments/cannot_post.html", {"reason": reason}, status=403)
    if not version.comments_open:
        return render(
            request, "comments/cannot_post.html", {"reason": "closed", "version": version}, status=403
        )
    return None


def _compose(request, clause_text, form, *, parent=None, status=200, preview=None, error=None):
    return render(
        request,
        "comments/compose.html",
        {
            "clause_text": clause_text,
            "version": clause_text.version,
            "definition": clause_text.version.definition,
            "form": form,
            "parent": parent,
            "preview": preview,
            "error": error,
        },
        status=status,
    )


def _post(request, clause_text, form_class, parent=None):
    refusal = _refuse_if_cannot_post(request, clause_text.version)
    if refusal is not None:
        return refusal
    form = form_class(request.POST or None)
    if request.method != "POST":
        return _compose(request, clause_text, form, parent=parent)
    if "preview" in request.POST:
        form.is_valid()
        return _compose(
            request, clause_text, form, parent=parent, preview=markdown.render(request.POST.get("body", ""))
        )
    if not form.is_valid():
        return _compose(request, clause_text, form, parent=parent, status=400)
    data = form.cleaned_data
    try:
        posted = actions.post_comment(
            author=request.user,
            clause_text=clause_text,
            body=data["body"],
            token=data["token"],
            quote=data.get("quote") or "",
            on_behalf_of=data["on_behalf_of"],
            parent=parent,
        )
    except actions.CommentError as error:
        if error.field:
            form.add_error(error.field, error.message)
            return _compose(request, clause_text, form, parent=parent, status=error.status)
        return _compose(request, clause_text, form, parent=parent, status=error.status, error=error.message)
    if posted.created and posted.comment.status == Comment.Status.HELD:
        messages.success(
            request,
            f"Thank you: your comment ({posted.comment.tracking_number}) is waiting for a moderator's approval, "
            "as new accounts' first comments do. A receipt is on its way to your email.",
        )
    elif posted.created:
        messages.success(
            request,
            f"Thank you: your comment is posted. Its tracking number is {posted.comment.tracking_number}; "
            "a receipt is on its way to your email.",
        )
    return redirect(_clause_url(clause_text, posted.comment))


def new_comment(request, version_pk, key):
    return _post(request, _clause_text_or_404(version_pk, key), CommentForm)


def reply(request, pk):
    parent = get_object_or_404(Comment.objects.select_related("author__profile", "clause"), pk=pk)
    clause_text = _clause_text_or_404(parent.version_id, parent.clause.key)
    if not parent.is_visible:
        raise PermissionDenied("This comment cannot take new replies.")
    if Comment.objects.filter(pk=parent.root_id, locked_at__isnull=False).exists():
        raise PermissionDenied("A moderator has locked this thread: it takes no new replies.")
    return _post(request, clause_text, ReplyForm, parent=parent)


@require_safe
def permalink(request, pk):
    comment = get_object_or_404(
        Comment.objects.select_related("version__definition", "clause", "root"), pk=pk
    )
    if not comment.version.is_published:
        raise Http404
    clause_text = ClauseText(version=comment.version, clause=comment.clause)
    return redirect(_clause_url(clause_text, comment))


@require_safe
def lookup(request):
    form = LookupForm(request.GET or None)
    if form.is_valid():
        number = parse_tracking_number(form.cleaned_data["number"])
        if number is not None and Comment.objects.filter(pk=number, version__status="published").exists():
            return redirect("comments:permalink", number)
        form.add_error("number", "No comment has that tracking number.")
    return render(request, "comments/lookup.html", {"form": form}, status=404 if form.errors else 200)


def _own_comment(request, pk) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("version__definition", "clause"), pk=pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied("Only its author can change a comment.")
    if not comment.is_visible:
        raise PermissionDenied("This comment can no longer be changed.")
    return comment


@login_required
def edit(request, pk):
    comment = _own_comment(request, pk)
    allowed, reason = actions.can_comment(request.user)
    if reason == "suspended":
        return render(request, "comments/cannot_post.html", {"reason": reason}, status=403)
    form = EditForm(
        request.POST or None, initial={"body": comment.body, "on_behalf_of": comment.on_behalf_of}
    )
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        form.is_valid()
        preview = markdown.render(request.POST.get("body", ""))
    elif request.method == "POST" and form.is_valid():
        actions.edit_comment(
            comment=comment,
            person=request.user,
            body=form.cleaned_data["body"],
            on_behalf_of=form.cleaned_data["on_behalf_of"],
        )
        messages.success(request, "Your comment is updated; its earlier text stays readable.")
        return redirect("comments:permalink", comment.pk)
    status = 400 if form.errors else 200
    return render(
        request, "comments/edit.html", {"comment": comment, "form": form, "preview": preview}, status=status
    )


@login_required
def withdraw(request, pk):
    comment = _own_comment(request, pk)
    if request.method == "POST":
        actions.withdraw_comment(comment=comment, person=request.user)
        messages.success(request, "Your comment is withdrawn. Replies to it stay.")
        return redirect("comments:permalink", comment.pk)
    return render(request, "comments/withdraw.html", {"comment": comment})


@require_safe
def history(request, pk):
    comment = get_object_or_404(
        Comment.objects.select_related("author__profile", "version__definition", "clause"), pk=pk
    )
    if not comment.version.is_published:
        raise Http404
    if not comment.is_visible:
        # The earlier texts of a withdrawn or hidden comment are not republished here.
        raise Http404("This comment is no longer shown.")
    return render(
        request, "comments/history.html", {"comment": comment, "revisions": comment.revisions.all()}
    )


@require_POST
@login_required
def endorse(request, pk):
    comment = get_object_or_404(Comment, pk=pk)
    allowed, reason = actions.can_comment(request.user)
    if not allowed:
        return render(request, "comments/cannot_post.html", {"reason": reason}, status=403)
    form = EndorseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "An endorsement note has at most 280 characters.")
        return redirect("comments:permalink", comment.pk)
    try:
        actions.endorse(comment=comment, person=request.user, note=form.cleaned_data["note"])
    except actions.CommentError as error:
        messages.error(request, error.message)
        return redirect("comments:permalink", comment.pk)
    messages.success(request, f"You endorsed comment {comment.tracking_number}.")
    return redirect("comments:permalink", comment.pk)


@require_POST
@login_required
def unendorse(request, pk):
    comment = get_object_or_404(Comment, pk=pk)
    actions.withdraw_endorsement(comment=comment, person=request.user)
    messages.success(request, "Your endorsement is withdrawn.")
    return redirect("comments:permalink", comment.pk)


@require_POST
def preview(request):
    """Sanitised HTML of some Markdown: the live preview (JavaScript) of comment forms."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    return HttpResponse(
        markdown.render(request.POST.get("body", "")[: CommentForm.base_fields["body"].max_length])
    )


@require_POST
@login_required
def follow(request, slug):
    definition = get_object_or_404(Definition, slug=slug)
    clause = None
    if request.POST.get("clause"):
        clause = get_object_or_404(definition.clauses, key=request.POST["clause"])
    if request.POST.get("action") == "unfollow":
        actions.unfollow(person=request.user, definition=definition, clause=clause)
        messages.success(request, "You no longer follow it.")
    else:
        actions.follow(person=request.user, definition=definition, clause=clause)
        messages.success(
            request, "You follow it now: new comments (and, for a definition, new versions) come by email."
        )
    back = request.POST.get("next", "")
    from django.utils.http import url_has_allowed_host_and_scheme

    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(definition)


def unsubscribe(request, token):
    data = notifications.read_unsubscribe_token(token)
    if data is None:
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=400)
    what = notifications.KINDS[data["k"]]
    if request.method == "POST":
        actions.stop_emails(user_id=data["u"], kind=data["k"], target=data["t"])
        return render(request, "comments/unsubscribe.html", {"done": True, "what": what})
    return render(request, "comments/unsubscribe.html", {"what": what})


@require_safe
def person(request, pk):
    profile = get_object_or_404(Profile.objects.select_related("user"), user_id=pk)
    comments = (
        Comment.objects.filter(author_id=pk, version__status=Version.Status.PUBLISHED)
        .select_related("version__definition", "clause")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(comments, 50).get_page(request.GET.get("page"))
    return render(request, "comments/person.html", {"profile": profile, "page": page})


@require_safe
def cite(request, pk):
    """Ready-to-paste citations of one comment, with its permanent link."""
    comment = get_object_or_404(
        Comment.objects.select_related("author__profile", "version__definition", "clause"), pk=pk
    )
    if not comment.version.is_published:
        raise Http404
    clause_text = comment.version.clause_texts.filter(clause=comment.clause).first()
    return render(
        request,
        "comments/cite.html",
        {
            "comment": comment,
            "clause_text": clause_text,
            "permalink": request.build_absolute_uri(reverse("comments:permalink", args=[comment.pk])),
            "author": comment.external_author if comment.is_external else comment.author.profile.name,
        },
    )
