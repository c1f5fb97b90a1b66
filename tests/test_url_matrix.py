"""Every address the site answers, against every role, for GET and POST (issue 7).

`ADDRESSES` states, for each URL pattern the project resolves (its own apps, the admin, allauth
and the API), what six people get from it: an anonymous visitor, a signed-in person whose email is
not verified, a commenter, a moderator, a steward and a superuser. A new pattern fails
`test_every_pattern_has_a_stated_expectation` until someone writes down who may use it; a pattern
that has gone fails `test_the_table_names_only_patterns_that_exist`.

Each POST has an empty body and skips the CSRF check (the CSRF tests live with each area), so
what answers is the permission check, not a form or a token. A GET never changes the database; a
refused POST changes nothing; a POST that is let through changes the database only where the
table says `writes(...)`, and then it must. The area matrices (steward, moderation, comment
permissions) send realistic forms; this one makes sure no address is left out.
"""

import functools
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from comments import actions as comment_actions
from comments import notifications
from comments.models import Comment, CommentRevision, Endorsement, Subscription
from definition import drafting
from definition.models import ClauseText, DraftImport, StewardAction
from moderation import actions as moderation_actions
from moderation.models import DraftLink, Flag, ModerationAction
from tests.conftest import document, make_comment, make_definition, make_user

ROLES = ("anonymous", "unverified", "commenter", "moderator", "steward", "superuser")
SLUG = "charter"  # published 0.9 and 1.0, and draft 1.1 with a clause of its own ("fees")


# What a request gets


@dataclass(frozen=True)
class Outcome:
    status: int
    sign_in: str = ""  # a 302 to this sign-in page (a URL name)...
    keeps_next: bool = False  # ...with next= the address asked for, to come back to it
    writes: bool = False  # a permitted POST that changes the database, even with an empty body

    def __str__(self):
        to = f" to {self.sign_in}{'?next=' if self.keeps_next else ''}" if self.sign_in else ""
        return f"{self.status}{to}{' writing' if self.writes else ''}"


LOGIN = Outcome(302, sign_in="account_login", keeps_next=True)
ADMIN_LOGIN = Outcome(302, sign_in="admin:login", keeps_next=True)


def writes(status: int) -> Outcome:
    return Outcome(status, writes=True)


def _outcome(value) -> Outcome:
    return value if isinstance(value, Outcome) else Outcome(value)


def each(anonymous, unverified, commenter, moderator, steward, superuser) -> dict[str, Outcome]:
    values = (anonymous, unverified, commenter, moderator, steward, superuser)
    return {role: _outcome(value) for role, value in zip(ROLES, values, strict=True)}


def everyone(outcome) -> dict[str, Outcome]:
    return each(*[outcome] * 6)


# Pages that only read answer GET and HEAD, and 405 to a POST, whoever sends it (before any
# check of who may see the page, which is not needed to refuse a method).
READ_ONLY = everyone(405)


def signed_in(outcome, *, anonymous=LOGIN) -> dict[str, Outcome]:
    return each(anonymous, outcome, outcome, outcome, outcome, outcome)


def verified(outcome, *, unverified=403, anonymous=LOGIN) -> dict[str, Outcome]:
    return each(anonymous, unverified, outcome, outcome, outcome, outcome)


def stewards(outcome, *, others=403, anonymous=LOGIN) -> dict[str, Outcome]:
    return each(anonymous, others, others, others, outcome, outcome)


def moderators(outcome, *, others=403, anonymous=LOGIN) -> dict[str, Outcome]:
    return each(anonymous, others, others, outcome, others, outcome)


def superuser(outcome, *, others=ADMIN_LOGIN) -> dict[str, Outcome]:
    # Stewards and moderators are not staff: the admin is for superusers (README).
    return each(others, others, others, others, others, outcome)


@dataclass(frozen=True)
class Address:
    """One address of a pattern, built from the world, and what each role gets from it."""

    url: Callable[[SimpleNamespace], str]
    get: dict[str, Outcome]
    post: dict[str, Outcome]
    label: str = ""  # tells apart several addresses of one pattern (a published version, a draft)


@dataclass(frozen=True)
class Shadowed:
    """A pattern listed after another with the same shape: every address it could match is
    answered by `by` (DESIGN.md: apps higher up the dependency arrow add to lower apps' pages)."""

    url: Callable[[SimpleNamespace], str]
    by: str


# The data every address is filled from, made once for the module (see `world`).


def build_world() -> SimpleNamespace:
    owner = make_user(groups=["Stewards"])
    moderator = make_user(groups=["Moderators"])
    author = make_user()
    other = make_user()
    newcomer = make_user(verified=False)
    charter = make_definition(
        slug=SLUG,
        versions={
            "0.9": [("scope", "Scope", "What this covers."), ("terms", "Terms", "Words.")],
            "1.0": [("scope", "Scope", "What this covers, and more."), ("terms", "Terms", "Words.")],
        },
    )
    make_definition(slug="unreleased", title="The Unreleased Rules", publish=False)
    version = charter.versions.get(label="1.0")
    draft = drafting.start_draft(definition=charter, label="1.1", by=owner)
    drafting.add_clause(
        draft=draft, key="fees", heading="Fees", level=2, body="Members pay a fee.", position=2, by=owner
    )
    pending = DraftImport.objects.create(
        version=draft,
        uploaded_by=owner,
        filename="charter.md",
        text=document("The Test Charter", [("scope", "Scope", "Wider."), ("terms", "Terms", "Words.")]),
    )
    comment = make_comment(author, version, body="Orchards too?")
    comment_actions.edit_comment(
        comment=comment, person=author, body="Orchards too, please?", on_behalf_of=""
    )
    make_comment(other, version, parent=comment, body="Agreed.")
    comment_actions.endorse(comment=comment, person=other)
    comment_actions.follow(person=author, definition=charter)
    moderation_actions.flag(comment=comment, reporter=other, reason=Flag.Reason.OTHER, note="Unsure.")
    hidden = make_comment(author, version, key="terms", body="Buy now.")
    moderation_actions.hide(comment=hidden, actor=moderator, reason="Advertising.")
    held = make_comment(newcomer, version, key="terms", body="My first comment.", status=Comment.Status.HELD)
    disposition = moderation_actions.record_disposition(
        comment=comment, by=owner, status="noted", rationale="Thanks."
    )
    moderation_actions.respond(disposition=disposition, author=author, verdict="satisfied")
    scope = charter.clauses.get(key="scope")
    moderation_actions.toggle_draft_link(
        draft=draft, comment=comment, clause=scope, by=owner, partial=False, linked=True
    )
    world = SimpleNamespace(
        owner=owner,
        author=author,
        newcomer=newcomer,
        charter=charter,
        version=version,
        draft=draft,
        scope=scope,
        pending=pending,
        comment=comment,
        hidden=hidden,
        held=held,
        disposition=disposition,
        # One object of every model the admin shows, for its per-object pages.
        objects={
            "auth.group": Group.objects.get(name="Stewards"),
            "auth.user": author,
            "account.emailaddress": EmailAddress.objects.get(user=author),
            "accounts.profile": author.profile,
            "definition.definition": charter,
            "definition.version": version,
            "definition.clause": scope,
            "definition.clausetext": ClauseText.objects.get(version=version, clause=scope),
            "definition.stewardaction": StewardAction.objects.first(),
            "definition.draftimport": pending,
            "comments.comment": comment,
            "comments.commentrevision": CommentRevision.objects.get(comment=comment),
            "comments.endorsement": Endorsement.objects.get(comment=comment),
            "comments.subscription": Subscription.objects.get(person=author),
            "moderation.moderationaction": ModerationAction.objects.get(),
            "moderation.disposition": disposition,
            "moderation.flag": Flag.objects.get(),
            "moderation.dispositionresponse": disposition.responses.get(),
            "moderation.draftlink": DraftLink.objects.get(),
            "django_tasks_database.dbtaskresult": queued_task(comment),
        },
        # Secrets that arrive by email: whoever holds one may use it, signed in or not.
        unsubscribe=notifications.unsubscribe_token(author.pk, "reply"),
        confirm_email=EmailConfirmationHMAC(EmailAddress.objects.get(user=newcomer)).key,
        reset_password={
            "uidb36": user_pk_to_url_str(author),
            "key": default_token_generator.make_token(author),
        },
        sessions=signed_in_sessions(),
    )
    world.state = database_state()  # what every test starts from, and must end with unless it writes
    return world


def signed_in_sessions() -> dict[str, str]:
    """A session for each persona, made as tests/conftest.py makes the personas; each test sends
    its cookie (signing in once per test would cost more than many of the requests)."""
    personas = {
        "unverified": make_user(verified=False),
        "commenter": make_user(),
        "moderator": make_user(groups=["Moderators"]),
        "steward": make_user(groups=["Stewards"]),
        "superuser": make_user(superuser=True),
    }
    sessions = {}
    for role, user in personas.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


# The table


def queued_task(comment):
    """An email queued for the task worker, as TASK_WORKER=1 stores it."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    return DBTaskResult.objects.create(
        task_path="comments.notifications.comment_emails",
        args_kwargs={"args": [comment.pk, None], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        exception_class_path="",
        traceback="",
    )


def _admin(model: str, view: str) -> Callable[[SimpleNamespace], str]:
    name = f"admin:{model.replace('.', '_')}_{view}"
    if view in ("changelist", "add"):
        return lambda w: reverse(name)
    return lambda w: reverse(name, args=[w.objects[model].pk])


# What a superuser may not do to each model in the admin, and why.
ADMIN_REFUSES = {
    "auth.group": set(),
    "auth.user": set(),
    "account.emailaddress": set(),
    "accounts.profile": set(),
    "definition.definition": set(),
    # Published text never changes (DESIGN.md invariant 1): the world's version and clause text
    # are published.
    "definition.version": {"delete"},
    "definition.clause": set(),
    "definition.clausetext": {"change", "delete"},
    # The stewards' record is append-only; an import is made by uploading a file.
    "definition.stewardaction": {"add", "change", "delete"},
    "definition.draftimport": {"add", "change"},
    # Nothing people wrote is lost (invariant 2), and it is written on the site, not in the admin;
    # moderating it goes through the moderation pages, which log it (invariant 3).
    "comments.comment": {"add", "change", "delete"},
    "comments.commentrevision": {"add", "change", "delete"},
    "comments.endorsement": set(),
    "comments.subscription": set(),
    # The moderation log and the dispositions are append-only records (invariant 3).
    "moderation.moderationaction": {"add", "change", "delete"},
    "moderation.disposition": {"add", "change", "delete"},
    "moderation.flag": set(),
    "moderation.dispositionresponse": set(),
    "moderation.draftlink": set(),
    # Queued emails (TASK_WORKER=1): the worker's record, read only.
    "django_tasks_database.dbtaskresult": {"add", "change", "delete"},
}


def admin_model_addresses(model: str) -> dict[str, Address | Shadowed]:
    """The six pages the admin makes for a model. A superuser's empty POST saves nothing: the
    add and change forms come back with errors (the admin answers those with 200), and the
    delete page asks for confirmation again."""
    refused = ADMIN_REFUSES[model]
    prefix = f"admin:{model.replace('.', '_')}"

    def page(view, allowed):
        status = 403 if view in refused else allowed
        return Address(_admin(model, view), get=superuser(status), post=superuser(status))

    change = page("change", 200)
    if "change" in refused:
        # Without the change permission the superuser still may view the object (GET); saving
        # (POST) is refused.
        change = Address(_admin(model, "change"), get=superuser(200), post=superuser(403))
    app_label, model_name = model.split(".")
    return {
        f"{prefix}_changelist": page("changelist", 200),
        f"{prefix}_add": page("add", 200),
        f"{prefix}_history": page("history", 200),
        f"{prefix}_delete": page("delete", 200),
        f"{prefix}_change": change,
        # The bare object address redirects to its change page.
        f"admin:admin/{app_label}/{model_name}/<path:object_id>/": Address(
            lambda w: reverse(f"{prefix}_change", args=[w.objects[model].pk]).removesuffix("change/"),
            get=superuser(302),
            post=superuser(302),
        ),
    }


def _api(name, *args):
    return lambda w: reverse(f"api:{name}", args=[a(w) if callable(a) else a for a in args])


def api_addresses() -> dict[str, Address]:
    """The read-only API: public, the same for everyone (it authenticates nobody), GET only."""
    read_only = dict(get=everyone(200), post=everyone(405))
    rows = {
        "api:openapi": Address(_api("openapi"), **read_only),
        "api:api-root api/v1/": Address(_api("api-root"), **read_only),
        "api:api-root api/v1/<drf_format_suffix:format>": Address(
            lambda w: reverse("api:api-root", kwargs={"format": "json"}), **read_only
        ),
    }
    details = {
        "definition": lambda w: w.charter.slug,
        "version": lambda w: w.version.pk,
        # The API names a clause text (this clause in one version), not the clause itself.
        "clause": lambda w: ClauseText.objects.get(version=w.version, clause=w.scope).pk,
        "comment": lambda w: w.comment.pk,
        "disposition": lambda w: w.disposition.pk,
        "moderation-log": lambda w: ModerationAction.objects.get().pk,
    }
    for resource, pk in details.items():
        plural = "moderation-log" if resource == "moderation-log" else f"{resource}s"
        lookup = "slug" if resource == "definition" else "pk"
        rows[f"api:{resource}-list api/v1/{plural}/$"] = Address(_api(f"{resource}-list"), **read_only)
        rows[f"api:{resource}-list api/v1/{plural}\\.(?P<format>[a-z0-9]+)/?$"] = Address(
            lambda w, r=resource: reverse(f"api:{r}-list", kwargs={"format": "json"}), **read_only
        )
        rows[f"api:{resource}-detail api/v1/{plural}/(?P<{lookup}>[^/.]+)/$"] = Address(
            _api(f"{resource}-detail", pk), **read_only
        )
        rows[f"api:{resource}-detail api/v1/{plural}/(?P<{lookup}>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$"] = (
            Address(
                lambda w, r=resource, pk=pk, lookup=lookup: reverse(
                    f"api:{r}-detail", kwargs={lookup: pk(w), "format": "json"}
                ),
                **read_only,
            )
        )
    # Drafts are never visible to anyone but stewards, and the API shows them to nobody; nor a
    # comment waiting for a moderator's approval.
    for key, private in [
        ("api:version-detail api/v1/versions/(?P<pk>[^/.]+)/$", ("draft", lambda w: w.draft.pk)),
        ("api:comment-detail api/v1/comments/(?P<pk>[^/.]+)/$", ("held", lambda w: w.held.pk)),
    ]:
        label, pk = private
        resource = key.split()[0].removeprefix("api:")
        rows[key] = [
            rows[key],
            Address(_api(resource, pk), get=everyone(404), post=everyone(405), label=label),
        ]
    return rows


def _url(name, *args):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def _draft_or_published(name, published_args, draft_args):
    """A reading page for a published version (everyone) and for the draft (stewards only; for
    anyone else it does not exist)."""
    return [
        Address(_url(name, *published_args), get=everyone(200), post=READ_ONLY, label="published"),
        Address(
            _url(name, *draft_args),
            get=stewards(200, others=404, anonymous=404),
            post=READ_ONLY,
            label="draft",
        ),
    ]


def _published_only(name, published_args, draft_args):
    """A record or export of a published version: there is none of a draft, for stewards either."""
    return [
        Address(_url(name, *published_args), get=everyone(200), post=READ_ONLY, label="published"),
        Address(_url(name, *draft_args), get=everyone(404), post=READ_ONLY, label="draft"),
    ]


ADDRESSES: dict[str, Address | Shadowed | list[Address]] = {
    # The admin's own pages.
    "admin:index": Address(_url("admin:index"), get=superuser(200), post=superuser(200)),
    # Its sign-in page is the site's (with allauth's limits on failed attempts); signed-in people
    # who are not staff are refused, and a signed-in superuser is sent on to the index.
    "admin:login": Address(
        _url("admin:login"),
        get=each(LOGIN, 403, 403, 403, 403, 302),
        post=each(LOGIN, 403, 403, 403, 403, 200),
    ),
    # Signing out needs a POST; anyone who is not staff is sent to the admin index (which sends
    # them on to sign in) rather than signed out of the whole site.
    "admin:logout": Address(
        _url("admin:logout"),
        get=superuser(405, others=Outcome(302)),
        post=superuser(200, others=Outcome(302)),
    ),
    "admin:password_change": Address(_url("admin:password_change"), get=superuser(200), post=superuser(200)),
    "admin:password_change_done": Address(
        _url("admin:password_change_done"), get=superuser(200), post=superuser(405)
    ),
    # Without its query the autocomplete refuses; it only answers GET.
    "admin:autocomplete": Address(_url("admin:autocomplete"), get=superuser(403), post=superuser(405)),
    "admin:jsi18n": Address(_url("admin:jsi18n"), get=superuser(200), post=superuser(405)),
    "admin:view_on_site": Address(
        lambda w: reverse(
            "admin:view_on_site", args=[ContentType.objects.get_for_model(w.charter).pk, w.charter.pk]
        ),
        get=superuser(302),
        post=superuser(302),
    ),
    "admin:app_list": Address(
        lambda w: reverse("admin:app_list", args=["moderation"]), get=superuser(200), post=superuser(200)
    ),
    "admin:admin/(?P<url>.*)$": Address(
        lambda w: "/admin/no-such-page/", get=superuser(404), post=superuser(404)
    ),
    **{key: row for model in ADMIN_REFUSES for key, row in admin_model_addresses(model).items()},
    "admin:auth_user_password_change": Address(
        lambda w: reverse("admin:auth_user_password_change", args=[w.author.pk]),
        get=superuser(200),
        post=superuser(200),
    ),
    # allauth. Signed-in people are sent away from the pages for signing in and up.
    "account_login": Address(
        _url("account_login"), get=signed_in(302, anonymous=200), post=signed_in(302, anonymous=200)
    ),
    "account_logout": Address(_url("account_logout"), get=signed_in(200, anonymous=302), post=everyone(302)),
    "account_inactive": Address(_url("account_inactive"), get=everyone(200), post=everyone(405)),
    "account_signup": Address(
        _url("account_signup"), get=signed_in(302, anonymous=200), post=signed_in(302, anonymous=200)
    ),
    "account_reauthenticate": Address(
        _url("account_reauthenticate"), get=signed_in(200), post=signed_in(200)
    ),
    # Confirming who one is again, by a code sent by email; an unverified address gets no code,
    # so that person is sent to the password form instead. Confirming a code nobody asked for
    # leads back to asking for one.
    "account_request_reauthentication_code": Address(
        _url("account_request_reauthentication_code"),
        get=each(LOGIN, 302, 200, 200, 200, 200),
        post=each(LOGIN, 302, 200, 200, 200, 200),
    ),
    "account_confirm_reauthentication_code": Address(
        _url("account_confirm_reauthentication_code"), get=signed_in(302), post=signed_in(302)
    ),
    # Signing in by an emailed code is not enabled: with no sign-in pending, back to the sign-in
    # page (nothing to come back to), or home for someone signed in.
    "account_confirm_login_code": Address(
        _url("account_confirm_login_code"),
        get=signed_in(302, anonymous=Outcome(302, sign_in="account_login")),
        post=signed_in(302, anonymous=Outcome(302, sign_in="account_login")),
    ),
    # A POST that names no action (add, make primary, remove...) leads back to the page.
    "account_email": Address(_url("account_email"), get=signed_in(200), post=signed_in(302)),
    "account_email_verification_sent": Address(
        _url("account_email_verification_sent"), get=everyone(200), post=everyone(405)
    ),
    "account_change_password": Address(
        _url("account_change_password"), get=signed_in(200), post=signed_in(200)
    ),
    # Everyone here has a password, so "set" leads to "change".
    "account_set_password": Address(_url("account_set_password"), get=signed_in(302), post=signed_in(302)),
    "account_reset_password": Address(_url("account_reset_password"), get=everyone(200), post=everyone(200)),
    "account_reset_password_done": Address(
        _url("account_reset_password_done"), get=everyone(200), post=everyone(405)
    ),
    # A key from an email: showing the page confirms nothing; posting it confirms the address,
    # whoever holds the key, and the address's owner is asked to sign in.
    "account_confirm_email": Address(
        lambda w: reverse("account_confirm_email", args=[w.confirm_email]),
        get=everyone(200),
        post=everyone(Outcome(302, sign_in="account_login", writes=True)),
    ),
    # A reset key is kept in the session and the page moves to an address without it.
    "account_reset_password_from_key": Address(
        lambda w: reverse("account_reset_password_from_key", kwargs=w.reset_password),
        get=everyone(302),
        post=everyone(302),
    ),
    "account_reset_password_from_key_done": Address(
        _url("account_reset_password_from_key_done"), get=everyone(200), post=everyone(405)
    ),
    "accounts:settings": Address(_url("accounts:settings"), get=signed_in(200), post=signed_in(400)),
    # The stewards' pages (tests/test_steward_permissions.py sends them real forms).
    "stewards:dashboard": Address(_url("stewards:dashboard"), get=stewards(200), post=stewards(405)),
    "stewards:draft": Address(_url("stewards:draft", SLUG), get=stewards(200), post=stewards(405)),
    "stewards:start": Address(_url("stewards:start", SLUG), get=stewards(405), post=stewards(400)),
    # GET asks for confirmation; the POST is the confirmation and needs nothing else.
    "stewards:discard": Address(
        _url("stewards:discard", SLUG), get=stewards(200), post=stewards(writes(302))
    ),
    "stewards:renumber": Address(
        _url("stewards:renumber", SLUG), get=stewards(405), post=stewards(writes(302))
    ),
    "stewards:add_clause": Address(_url("stewards:add_clause", SLUG), get=stewards(200), post=stewards(400)),
    "stewards:import_upload": Address(
        _url("stewards:import_upload", SLUG), get=stewards(200), post=stewards(400)
    ),
    "stewards:import_review": Address(
        _url("stewards:import_review", SLUG, lambda w: w.pending.pk), get=stewards(200), post=stewards(400)
    ),
    "stewards:publish": Shadowed(
        _url("stewards:publish", SLUG), by="moderation_stewards:stewards/<slug:slug>/draft/publish/"
    ),
    "stewards:preview": Address(_url("stewards:preview", SLUG), get=stewards(405), post=stewards(200)),
    "stewards:edit_clause": Shadowed(
        _url("stewards:edit_clause", SLUG, "scope"),
        by="moderation_stewards:stewards/<slug:slug>/draft/<slug:key>/edit/",
    ),
    "stewards:remove_clause": Address(
        _url("stewards:remove_clause", SLUG, "fees"), get=stewards(200), post=stewards(writes(302))
    ),
    # Without a direction or position nothing moves; the steward is told why.
    "stewards:move_clause": Address(
        _url("stewards:move_clause", SLUG, "fees"), get=stewards(405), post=stewards(302)
    ),
    "stewards:comment_period": Address(
        _url("stewards:comment_period", SLUG, "1.0"), get=stewards(405), post=stewards(302)
    ),
    "moderation_stewards:stewards/<slug:slug>/draft/publish/": Address(
        _url("stewards:publish", SLUG), get=stewards(200), post=stewards(400)
    ),
    "moderation_stewards:stewards/<slug:slug>/draft/<slug:key>/edit/": Address(
        _url("stewards:edit_clause", SLUG, "scope"), get=stewards(200), post=stewards(400)
    ),
    # POST only, and refused as such before anyone is looked at.
    "moderation_stewards:draft_link": Address(
        _url("moderation_stewards:draft_link", SLUG, "scope"), get=everyone(405), post=stewards(302)
    ),
    "moderation_stewards:disposition": Address(
        _url("moderation_stewards:disposition", lambda w: w.comment.pk), get=stewards(200), post=stewards(400)
    ),
    "moderation_stewards:triage": Address(
        _url("moderation_stewards:triage", SLUG, "1.0"), get=stewards(200), post=stewards(200)
    ),
    "moderation_stewards:external": Address(
        _url("moderation_stewards:external", SLUG, "1.0", "scope"), get=stewards(200), post=stewards(400)
    ),
    # Moderation (tests/test_moderation_permissions.py sends real forms).
    "moderation:queue": Address(_url("moderation:queue"), get=moderators(200), post=moderators(200)),
    "moderation:log": Address(_url("moderation:log"), get=everyone(200), post=READ_ONLY),
    "moderation:comment": Address(
        _url("moderation:comment", lambda w: w.comment.pk), get=moderators(200), post=moderators(200)
    ),
    # Hiding needs a reason.
    "moderation:act": Address(
        _url("moderation:act", lambda w: w.comment.pk, "hide"), get=everyone(405), post=moderators(400)
    ),
    # Suspending needs a reason; without one the moderator is sent back to the queue, told why.
    "moderation:suspension": Address(
        _url("moderation:suspension", lambda w: w.author.pk, "suspend"),
        get=everyone(405),
        post=moderators(302),
    ),
    # An empty body leaves the form unbound (the `Form(request.POST or None)` idiom), so the page
    # is shown again; a browser's POST always carries the CSRF token, so it never happens there.
    "moderation:flag": Address(
        _url("moderation:flag", lambda w: w.comment.pk), get=verified(200), post=verified(200)
    ),
    # Comments (tests/test_comment_permissions.py sends real forms).
    "comments:lookup": Address(_url("comments:lookup"), get=everyone(200), post=READ_ONLY),
    # The live preview is for people signed in; it writes nothing.
    "comments:preview": Address(
        _url("comments:preview"), get=everyone(405), post=signed_in(200, anonymous=403)
    ),
    "comments:new": Address(
        _url("comments:new", lambda w: w.version.pk, "scope"), get=verified(200), post=verified(400)
    ),
    # Following is reading, not posting, so it needs no verified address (and with verification
    # mandatory, an unverified person cannot sign in to follow anything).
    "comments:follow": Address(_url("comments:follow", SLUG), get=everyone(405), post=signed_in(writes(302))),
    # The link in an email stops that kind of email for its addressee, whoever follows it.
    "comments:unsubscribe": Address(
        lambda w: reverse("comments:unsubscribe", args=[w.unsubscribe]),
        get=everyone(200),
        post=everyone(writes(200)),
    ),
    "comments:permalink": Address(
        _url("comments:permalink", lambda w: w.comment.pk), get=everyone(302), post=READ_ONLY
    ),
    "comments:reply": Address(
        _url("comments:reply", lambda w: w.comment.pk), get=verified(200), post=verified(400)
    ),
    # Only the author edits or withdraws; none of the personas wrote the comment.
    "comments:edit": Address(
        _url("comments:edit", lambda w: w.comment.pk), get=signed_in(403), post=signed_in(403)
    ),
    "comments:withdraw": Address(
        _url("comments:withdraw", lambda w: w.comment.pk), get=signed_in(403), post=signed_in(403)
    ),
    "comments:history": [
        Address(_url("comments:history", lambda w: w.comment.pk), get=everyone(200), post=READ_ONLY),
        # The earlier texts of a hidden comment, or of one not yet approved, are not published
        # here, not even for moderators (they have the moderation pages).
        Address(
            _url("comments:history", lambda w: w.hidden.pk),
            get=everyone(404),
            post=READ_ONLY,
            label="hidden",
        ),
        Address(
            _url("comments:history", lambda w: w.held.pk), get=everyone(404), post=READ_ONLY, label="held"
        ),
    ],
    "comments:cite": Address(
        _url("comments:cite", lambda w: w.comment.pk), get=everyone(200), post=READ_ONLY
    ),
    # An endorsement needs no note.
    "comments:endorse": Address(
        _url("comments:endorse", lambda w: w.comment.pk), get=everyone(405), post=verified(writes(302))
    ),
    # Withdrawing an endorsement one never made changes nothing.
    "comments:unendorse": Address(
        _url("comments:unendorse", lambda w: w.comment.pk), get=everyone(405), post=signed_in(302)
    ),
    # Only the comment's author answers its disposition; none of the personas is the author.
    "respond": Address(_url("respond", lambda w: w.disposition.pk), get=everyone(405), post=signed_in(403)),
    "person": Address(_url("person", lambda w: w.author.pk), get=everyone(200), post=READ_ONLY),
    # Open records.
    "search": Address(lambda w: reverse("search") + "?q=orchards", get=everyone(200), post=READ_ONLY),
    "robots": Address(_url("robots"), get=everyone(200), post=everyone(405)),
    "health": Address(_url("health"), get=everyone(200), post=everyone(405)),
    "sitemap": Address(_url("sitemap"), get=everyone(200), post=READ_ONLY),
    "exports:all_comments": Address(
        _url("exports:all_comments", SLUG, "csv"), get=everyone(200), post=READ_ONLY
    ),
    # Exports are of published versions only, for stewards too.
    "exports:markdown": _published_only("exports:markdown", [SLUG, "1.0"], [SLUG, "1.1"]),
    "exports:print": _published_only("exports:print", [SLUG, "1.0"], [SLUG, "1.1"]),
    "exports:annotations": _published_only("exports:annotations", [SLUG, "1.0"], [SLUG, "1.1"]),
    **api_addresses(),
    "openrecord:versions_feed": Address(
        _url("openrecord:versions_feed", SLUG), get=everyone(200), post=READ_ONLY
    ),
    "openrecord:comments_feed": Address(
        _url("openrecord:comments_feed", SLUG), get=everyone(200), post=READ_ONLY
    ),
    "openrecord:clause_comments_feed": Address(
        _url("openrecord:clause_comments_feed", SLUG, "scope"), get=everyone(200), post=READ_ONLY
    ),
    "openrecord:dispositions_feed": Address(
        _url("openrecord:dispositions_feed", SLUG), get=everyone(200), post=READ_ONLY
    ),
    # The reading pages.
    "record:changes": _published_only("record:changes", [SLUG, "1.0"], [SLUG, "1.1"]),
    "record:dispositions": _published_only("record:dispositions", [SLUG, "1.0"], [SLUG, "1.1"]),
    "record:<slug:slug>/history/<slug:key>/": _draft_or_published(
        "definition:clause_history", [SLUG, "scope"], [SLUG, "fees"]
    ),
    "record:<slug:slug>/<label:label>/<slug:key>/": _draft_or_published(
        "definition:clause", [SLUG, "1.0", "scope"], [SLUG, "1.1", "scope"]
    ),
    "<slug:slug>/": _draft_or_published("definition:latest", [SLUG], ["unreleased"]),
    "<slug:slug>/<label:label>/": _draft_or_published("definition:version", [SLUG, "1.0"], [SLUG, "1.1"]),
    "<slug:slug>/<label:label>/<slug:key>/": Shadowed(
        _url("definition:clause", SLUG, "1.0", "scope"), by="record:<slug:slug>/<label:label>/<slug:key>/"
    ),
    # With only one definition published, the home page leads to it; stewards also see the one
    # nobody has published yet, so they get the list.
    "definition:home": Address(
        _url("definition:home"),
        get=stewards(200, others=302, anonymous=302),
        post=READ_ONLY,
    ),
    "definition:latest": Shadowed(_url("definition:latest", SLUG), by="<slug:slug>/"),
    # Without a choice the picker leads to the two newest versions this person may see.
    "definition:compare_form": Address(
        _url("definition:compare_form", SLUG), get=everyone(302), post=READ_ONLY
    ),
    "definition:compare": _draft_or_published(
        "definition:compare", [SLUG, ("0.9", "1.0")], [SLUG, ("1.0", "1.1")]
    ),
    "definition:clause_history": Shadowed(
        _url("definition:clause_history", SLUG, "scope"), by="record:<slug:slug>/history/<slug:key>/"
    ),
    "definition:latest_clause": Address(
        _url("definition:latest_clause", SLUG, "scope"), get=everyone(302), post=READ_ONLY
    ),
    "definition:version": Shadowed(_url("definition:version", SLUG, "1.0"), by="<slug:slug>/<label:label>/"),
    "definition:clause": Shadowed(
        _url("definition:clause", SLUG, "1.0", "scope"), by="record:<slug:slug>/<label:label>/<slug:key>/"
    ),
}


# Patterns, and the key each has in the table


def _join(route: str, more: str) -> str:
    # As Django joins the routes of nested patterns into ResolverMatch.route.
    return more if not route else route + more.removeprefix("^")


def _walk(resolver=None, namespace="", route=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            yield from _walk(pattern, inner, _join(route, str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name, _join(route, str(pattern.pattern))


def _qualified(namespace, name) -> str:
    return f"{namespace}:{name}" if namespace and name else name or ""


def _key(namespace, name, route, shared: set[str]) -> str:
    """The pattern's name; with its route where the name is shared; its route where it has none."""
    qualified = _qualified(namespace, name)
    if name:
        return f"{qualified} {route}" if qualified in shared else qualified
    return f"{namespace}:{route}" if namespace else route


def all_patterns() -> list[str]:
    found = list(_walk())
    names = Counter(_qualified(namespace, name) for namespace, name, _ in found if name)
    shared = {name for name, count in names.items() if count > 1}
    return [_key(namespace, name, route, shared) for namespace, name, route in found]


def pattern_answering(url: str) -> str:
    found = list(_walk())
    names = Counter(_qualified(namespace, name) for namespace, name, _ in found if name)
    shared = {name for name, count in names.items() if count > 1}
    match = resolve(urlparse(url).path)
    return _key(match.namespace, match.url_name, match.route, shared)


def addresses_of(key) -> list[Address]:
    row = ADDRESSES[key]
    if isinstance(row, Shadowed):
        return []
    return row if isinstance(row, list) else [row]


# The database, compared whole


# Sessions are the one table any request may write, a GET included: signing in and out, allauth's
# flows (a password reset key, a pending sign-in) and messages keep their state there. Everything
# else, allauth's email addresses and the admin's log included, is compared.
NOT_COMPARED = {"django_session"}


@functools.cache
def _table_queries() -> list[tuple[str, str]]:
    quote = connection.ops.quote_name
    return [
        (table, f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")
        for table, pk in sorted(
            {
                (model._meta.db_table, model._meta.pk.column)
                for model in apps.get_models(include_auto_created=True)
            }
        )
        if table not in NOT_COMPARED
    ]


def database_state() -> dict[str, list[tuple]]:
    """Every row of every table but the sessions, in primary key order, read with plain SQL (the
    ORM would take a good part of the run time)."""
    with connection.cursor() as cursor:
        state = {}
        for table, query in _table_queries():
            cursor.execute(query)
            state[table] = cursor.fetchall()
    return state


def changed_tables(before, after) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


# Fixtures


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The data, made once for the module inside a transaction that is rolled back at its end;
    each test runs inside it in a savepoint of its own (pytest-django's `db`), so no test sees
    another's changes."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module", autouse=True)
def quiet_refusals():
    """Django logs every 403 and 404 with its traceback, and there are over a thousand here; an
    error (a 500) is still logged, and fails its test anyway."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def client_for_role(world, role) -> Client:
    client = Client()  # enforce_csrf_checks is off: the permission check answers, not the token
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


# The tests


def test_every_pattern_has_a_stated_expectation():
    missing = [key for key in all_patterns() if key not in ADDRESSES]
    assert missing == []


def test_the_table_names_only_patterns_that_exist():
    patterns = set(all_patterns())
    assert [key for key in ADDRESSES if key not in patterns] == []


def test_each_pattern_is_walked_once():
    # Two patterns with one key would share one row of the table.
    assert [key for key, count in Counter(all_patterns()).items() if count > 1] == []


def test_the_table_lets_no_get_and_no_refusal_write():
    # A GET never changes anything (views that do take POST), and neither does a refused POST;
    # the table cannot say otherwise.
    stated = [
        (key, method, role, outcome)
        for key in ADDRESSES
        for address in addresses_of(key)
        for method, outcomes in (("GET", address.get), ("POST", address.post))
        for role, outcome in outcomes.items()
    ]
    refusals = (401, 403, 404, 405)
    assert [
        row
        for row in stated
        if row[3].writes and (row[1] == "GET" or row[3].status in refusals or row[3].keeps_next)
    ] == []


@pytest.mark.django_db
@pytest.mark.parametrize("key", [key for key, row in ADDRESSES.items() if not isinstance(row, Shadowed)])
def test_each_address_reaches_the_pattern_it_is_listed_under(world, key):
    assert [pattern_answering(address.url(world)) for address in addresses_of(key)] == [key] * len(
        addresses_of(key)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("key", [key for key, row in ADDRESSES.items() if isinstance(row, Shadowed)])
def test_a_shadowed_pattern_is_answered_by_the_pattern_named(world, key):
    row = ADDRESSES[key]
    assert row.by in ADDRESSES and not isinstance(ADDRESSES[row.by], Shadowed)
    assert pattern_answering(row.url(world)) == row.by


CASES = [
    pytest.param(
        key,
        index,
        role,
        method,
        id=f"{method} {key}{' (' + address.label + ')' if address.label else ''} as {role}",
    )
    for key in ADDRESSES
    for index, address in enumerate(addresses_of(key))
    for role in ROLES
    for method in ("GET", "POST")
]


def observe(world, address: Address, role: str, method: str) -> tuple[Outcome, str, list[str]]:
    """What `role` gets from `method` on the address: the outcome, where a 302 leads, and the
    tables the request changed."""
    client = client_for_role(world, role)
    url = address.url(world)
    response = client.get(url) if method == "GET" else client.post(url)
    location = response.get("Location", "") if response.status_code == 302 else ""
    path, query = urlparse(location).path, parse_qs(urlparse(location).query)
    sign_in = next(
        (name for name in ("account_login", "admin:login") if location and path == reverse(name)), ""
    )
    keeps_next = bool(sign_in) and query.get("next") == [url]
    changed = changed_tables(world.state, database_state())
    outcome = Outcome(response.status_code, sign_in=sign_in, keeps_next=keeps_next, writes=bool(changed))
    return outcome, location, changed


@pytest.mark.django_db
@pytest.mark.parametrize("key, index, role, method", CASES)
def test_each_role_gets_what_the_table_says(world, key, index, role, method):
    address = addresses_of(key)[index]
    expected = (address.get if method == "GET" else address.post)[role]
    outcome, location, changed = observe(world, address, role, method)
    assert outcome == expected, (
        f"got {outcome} (to {location or '-'}, changed {changed or '-'}), not {expected}"
    )
