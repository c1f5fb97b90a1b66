from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command


def test_no_model_change_is_missing_a_migration(db):
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        raise AssertionError(f"A model change has no migration:\n{out.getvalue()}") from exit_


def test_migrate_creates_the_stewards_and_moderators_groups(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Stewards", "Moderators"}
