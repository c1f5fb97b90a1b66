"""With TASK_WORKER=1, emails are queued in the database and sent by `manage.py db_worker`, not
by the request that caused them (settings.TASKS; docs/deploy.md)."""

import uuid

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.conftest import client_for, make_definition

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def queued_in_the_database(settings):
    cache.clear()  # the comment rate limit
    settings.TASKS = DATABASE_TASKS
    yield
    cache.clear()


# Transactions really commit here: the queue is written once the comment is stored, and the
# worker closes its database connection when it is done, as a separate process would.
@pytest.mark.django_db(transaction=True)
def test_a_post_queues_its_receipt_and_the_worker_sends_it(commenter):
    version = make_definition(slug="charter").versions.get()
    DBTaskResult.objects.all().delete()  # publishing it queued the new-version emails
    form = {"body": "Queued, not sent.", "quote": "", "on_behalf_of": "", "token": str(uuid.uuid4())}
    response = client_for(commenter).post(f"/comments/new/{version.pk}/scope/", form)
    assert response.status_code == 302
    assert mail.outbox == []  # the request sent nothing
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "comments.notifications.comment_emails"

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    assert [message.to for message in mail.outbox] == [[commenter.email]]
    assert "was received" in mail.outbox[0].subject
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
