from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import is_moderator
from comments import actions as comment_actions
from comments.models import Comment

from . import actions
from .forms import FlagForm, ReasonForm
from .models import Flag, ModerationAction


def moderator_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_moderator(request.user):
            raise PermissionDenied("Only moderators can do this.")
        return view(request, *args, **kwargs)

    return wrapper


@moderator_required
def queue(request):
    open_flags = Flag.objects.filter(resolved_at__isnull=True).select_related("reporter__profile")
    comments = list(
        Comment.objects.filter(
            Q(Exists(Flag.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)))
            | Q(status=Comment.Status.HELD)
        )
        .annotate(first_flag=Min("flags__created_at", filter=Q(flags__resolved_at__isnull=True)))
        .select_related("author__profile", "version__definition", "clause")
        .prefetch_related(Prefetch("flags", queryset=open_flags, to_attr="open_flags"))
        .order_by("first_flag", "created_at")[:100]
    )
    history = {
        row["author_id"]: row
        for row in Comment.objects.filter(author_id__in={c.author_id for c in comments})
        .values("author_id")
        .annotate(
            total=Count("id"),
            hidden=Count("id", filter=Q(status=Comment.Status.HIDDEN)),
            flagged=Count("flags", distinct=True),
        )
    }
    for comment in comments:
        comment.author_history = history.get(comment.author_id, {})
    return render(request, "moderation/queue.html", {"comments": comments})


@moderator_required
def comment(request, pk, *, form=None, status=200):
    target = get_object_or_404(
        Comment.objects.select_related(
            "author__profile", "version__definition", "clause", "parent__author__profile", "root"
        ),
        pk=pk,
    )
    flags = list(target.flags.select_related("reporter__profile", "resolved_by"))
    recent = (
        Comment.objects.filter(author=target.author)
        .select_related("version__definition", "clause")
        .order_by("-created_at")[:20]
    )
    log = ModerationAction.objects.filter(Q(comment=target) | Q(person=target.author)).select_related(
        "comment", "actor__profile"
    )[:20]
    return render(
        request,
        "moderation/comment.html",
        {
            "comment": target,
            "flags": flags,
            "open_flags": [f for f in flags if f.resolved_at is None],
            "recent": recent,
            "log": log,
            "form": form or ReasonForm(),
        },
        status=status,
    )


ACTIONS = {
    "hide": lambda c, a, r: actions.hide(comment=c, actor=a, reason=r),
    "restore": lambda c, a, r: actions.restore(comment=c, actor=a, reason=r),
    "approve": lambda c, a, r: actions.approve(comment=c, actor=a),
    "dismiss": lambda c, a, r: actions.dismiss_flags(comment=c, actor=a, reason=r),
    "lock": lambda c, a, r: actions.set_lock(comment=c, actor=a, locked=True, reason=r),
    "unlock": lambda c, a, r: actions.set_lock(comment=c, actor=a, locked=False, reason=r),
}
DONE = {
    "hide": "The comment is hidden; readers see the reason in its place.",
    "restore": "The comment is visible again.",
    "approve": "The comment is approved and visible.",
    "dismiss": "The flags are dismissed.",
    "lock": "The thread is locked.",
    "unlock": "The thread is unlocked.",
}


@require_POST
@moderator_required
def act(request, pk, action):
    target = get_object_or_404(Comment.objects.select_related("root"), pk=pk)
    if action not in ACTIONS:
        raise Http404("No such moderation action.")
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        ACTIONS[action](target, request.user, form.cleaned_data.get("reason", ""))
    except actions.ModerationError as error:
        if error.field:
            form.add_error(error.field, error.message)
            return comment(request, pk, form=form, status=400)
        messages.error(request, error.message)
    else:
        messages.success(request, DONE[action])
    return redirect("moderation:comment", target.pk)


@require_POST
@moderator_required
def suspension(request, pk, action):
    if action not in ("suspend", "unsuspend"):
        raise Http404("No such moderation action.")
    person = get_object_or_404(get_user_model(), pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        actions.set_suspension(
            person=person,
            actor=request.user,
            suspended=action == "suspend",
            reason=form.cleaned_data.get("reason", ""),
        )
    except actions.ModerationError as error:
        back = request.POST.get("comment", "")
        if error.field and back.isdigit() and Comment.objects.filter(pk=back).exists():
            form.add_error(error.field, error.message)
            return comment(request, int(back), form=form, status=400)
        messages.error(request, error.message)
    else:
        messages.success(
            request, "The account is suspended." if action == "suspend" else "The suspension is lifted."
        )
    back = request.POST.get("comment")
    if back and back.isdigit() and Comment.objects.filter(pk=back).exists():
        return redirect("moderation:comment", int(back))
    return redirect("moderation:queue")


@require_safe
def log(request):
    """The public moderation log: what was done, to what, why and when; not by whom."""
    entries = ModerationAction.objects.select_related("comment__author__profile", "person__profile").order_by(
        "-created_at", "-pk"
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "moderation/log.html", {"page": page})


@login_required
def flag(request, pk):
    target = get_object_or_404(
        Comment.objects.select_related("author__profile", "version__definition", "clause"), pk=pk
    )
    if not target.version.is_published:
        raise PermissionDenied
    allowed, why = comment_actions.can_comment(request.user)
    if not allowed:
        raise PermissionDenied(
            "Your account is suspended."
            if why == "suspended"
            else "Verify your email address to flag comments."
        )
    if target.author_id == request.user.pk:
        raise PermissionDenied("You cannot flag your own comment; withdraw it instead.")
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.flag(
                comment=target,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except actions.ModerationError as error:
            if error.status == 403:
                raise PermissionDenied(error.message) from None
            messages.info(request, error.message)
        else:
            messages.success(request, "Thank you: moderators will look at it.")
        return redirect("comments:permalink", target.pk)
    status = 400 if form.errors else 200
    return render(request, "moderation/flag.html", {"comment": target, "form": form}, status=status)
