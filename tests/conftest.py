"""Shared personas and factories, so a test says who acts and what happens."""

import itertools
import os
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from definition.importer import import_version

_numbers = itertools.count(1)


def make_user(
    *, verified=True, groups=(), superuser=False, email=None, password="correct horse battery"
) -> User:
    n = next(_numbers)
    email = email or f"person{n}@example.org"
    user = User.objects.create_user(
        username=f"person{n}", email=email, password=password, is_superuser=superuser, is_staff=superuser
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    for name in groups:
        # get_or_create: browser tests flush the database, migration-made groups included.
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def reader(db):
    """An anonymous visitor."""
    return Client()


@pytest.fixture
def commenter(db):
    return make_user()


@pytest.fixture
def unverified(db):
    return make_user(verified=False)


@pytest.fixture
def steward(db):
    return make_user(groups=["Stewards"])


@pytest.fixture
def moderator(db):
    return make_user(groups=["Moderators"])


@pytest.fixture
def superuser(db):
    return make_user(superuser=True)


def clause_md(key: str, heading: str, body: str, level: int = 2) -> str:
    return f"{'#' * level} {heading} {{#{key}}}\n\n{body}\n"


def document(title: str, clauses: list[tuple[str, str, str]]) -> str:
    """A Markdown draft from (key, heading, body) triples."""
    return f"# {title}\n\n" + "\n".join(clause_md(*c) for c in clauses)


def make_definition(slug="charter", versions=None, title="The Test Charter", publish=True):
    """A definition with published versions; `versions` maps label -> list of (key, heading, body)."""
    versions = versions or {
        "1.0": [("scope", "Scope", "What this covers."), ("terms", "Terms", "Words we use.")],
    }
    result = None
    start = timezone.now() - timedelta(days=len(versions) + 1)
    for offset, (label, clauses) in enumerate(versions.items()):
        result = import_version(definition_slug=slug, label=label, text=document(title, clauses))
        if publish:
            result.version.publish(at=start + timedelta(days=offset))
    return result.definition


def many_clauses(n: int, prefix: str = "Clause", suffix: str = "") -> list[tuple[str, str, str]]:
    return [(f"c{i}", f"{prefix} {i}", f"Text of clause {i}.{suffix}") for i in range(n)]


@pytest.fixture
def demo_definition(db):
    """Three versions with an edit, a rename, an addition and a removal."""
    return make_definition(
        slug="charter",
        versions={
            "0.1": [
                ("scope", "Scope", "This charter covers gardens."),
                ("members", "Members", "Anyone may join."),
                ("fees", "Fees", "Members pay a yearly fee."),
            ],
            "0.2": [
                ("scope", "Scope", "This charter covers community gardens."),
                ("members", "Membership", "Anyone may join."),
                ("fees", "Fees", "Members pay a yearly fee."),
                ("meetings", "Meetings", "Members meet each month."),
            ],
            "1.0": [
                ("scope", "Scope", "This charter covers community gardens and orchards."),
                ("members", "Membership", "Anyone may join."),
                ("meetings", "Meetings", "Members meet each month."),
            ],
        },
    )


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate limits (comments, allauth) count in the cache, which would outlive a test."""
    from django.core.cache import cache

    from docket import pagecache

    cache.clear()
    pagecache.forget_local()  # its copies of kept text go with the shared cache's
    yield
    cache.clear()
    pagecache.forget_local()


# The Redis tests' server: a database number of its own (each test also uses a key prefix of its
# own). Without Redis they skip, except under CI (the CI variable set), where they fail.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache(fresh_cache, settings):
    """The cache as production has it with REDIS_URL set: the Redis backend (docket.redis_cache),
    which every worker shares. A database number and key prefix of its own; only its own keys are removed afterwards."""
    import redis

    server = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.RedisError as exc:
        message = f"Redis is not answering at {TEST_REDIS_URL} ({exc})"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{message}; CI runs the Redis tests")
        pytest.skip(message)
    prefix = f"docket-tests-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "docket.redis_cache.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield SimpleNamespace(server=server, prefix=prefix)
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)
    server.close()


def make_comment(author, version, key="scope", body="A comment.", parent=None, **fields):
    """A comment stored directly (no rate limit, no emails); a first comment is its own root."""
    from comments.models import Comment

    comment = Comment.objects.create(
        clause=version.definition.clauses.get(key=key),
        version=version,
        author=author,
        body=body,
        parent=parent,
        root_id=parent.root_id if parent is not None else None,
        **fields,
    )
    if parent is None:
        Comment.objects.filter(pk=comment.pk).update(root=comment)
        comment.root_id = comment.pk
    return comment
