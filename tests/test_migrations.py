from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone


def test_no_model_change_is_missing_a_migration(db):
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        raise AssertionError(f"A model change has no migration:\n{out.getvalue()}") from exit_


def test_migrate_creates_the_stewards_and_moderators_groups(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Stewards", "Moderators"}


BEFORE_DIGESTS = [("definition", "0005_clausetext_version_position")]


@pytest.mark.django_db(transaction=True)
def test_the_digest_migration_fills_every_clause_text_published_ones_too():
    """0006 derives each stored body's digest, also in published versions, whose text
    PostgreSQL's trigger otherwise refuses to touch; the trigger is back on afterwards."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from definition.models import ClauseText, body_digest_of

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_DIGESTS)
    apps = executor.loader.project_state(BEFORE_DIGESTS).apps
    definition = apps.get_model("definition", "Definition").objects.create(slug="old", title="Old")
    version = apps.get_model("definition", "Version").objects.create(
        definition=definition, label="1.0", sequence=1
    )
    clause = apps.get_model("definition", "Clause").objects.create(definition=definition, key="scope")
    apps.get_model("definition", "ClauseText").objects.create(
        version=version, clause=clause, position=0, heading="Scope", body="Gardens *and* parks."
    )
    version.status, version.published_at = "published", timezone.now()
    version.save()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    text = ClauseText.objects.get(clause__key="scope", version__label="1.0")
    assert text.body_digest == body_digest_of("Gardens *and* parks.")
    if connection.vendor == "postgresql":  # the guard on published text stands again
        from django.db import DatabaseError, transaction

        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE definition_clausetext SET body = 'Changed.' WHERE id = %s", [text.pk])


@pytest.mark.django_db
def test_the_database_makes_a_first_comment_its_own_root_and_leaves_a_reply_s_alone():
    """The trigger of comments/0007. Django rebuilds a SQLite table for many changes and the
    rebuild drops its triggers: a migration that rebuilds comments_comment must create it again,
    and this test fails until it does."""
    from comments.models import Comment
    from tests.conftest import make_definition, make_user

    version = make_definition().versions.get()
    clause = version.definition.clauses.first()
    author = make_user()
    first = Comment.objects.create(clause=clause, version=version, author=author, body="First.")
    reply = Comment.objects.create(
        clause=clause, version=version, author=author, body="Reply.", parent=first, root_id=first.pk
    )
    assert Comment.objects.get(pk=first.pk).root_id == first.pk
    assert Comment.objects.get(pk=reply.pk).root_id == first.pk
