from io import StringIO

from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from definition.models import Definition


def load():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_it_loads_three_published_versions_with_real_changes(db, client):
    load()
    definition = Definition.objects.get(slug="open-recipe")
    assert list(definition.versions.published().values_list("label", flat=True)) == ["0.1", "0.2", "1.0"]
    rows = {
        r.key: r.status
        for r in client.get(reverse("definition:compare", args=["open-recipe", ("0.1", "1.0")])).context[
            "rows"
        ]
    }
    assert rows["purpose"] == "changed"
    assert rows["attribution"] == "renamed"
    assert rows["allergens"] == "added"
    assert rows["commercial-kitchens"] == "removed"
    # Comments moved on with each release.
    assert [v.comments_open for v in definition.versions.order_by("sequence")] == [False, False, True]


def test_loading_twice_changes_nothing(db):
    load()
    assert "already loaded" in load()
    assert Definition.objects.count() == 1


def test_demo_sign_in_details_exist_only_with_debug_on(db, settings):
    settings.DEBUG = False
    assert "Demo accounts" not in load()
    assert not User.objects.get(email="steward@example.org").has_usable_password()


def test_with_debug_on_the_demo_accounts_can_sign_in(db, settings):
    settings.DEBUG = True
    output = load()
    assert "steward@example.org" in output and "demo-steward-pass" in output
    steward = User.objects.get(email="steward@example.org")
    assert steward.groups.filter(name="Stewards").exists()
    assert steward.check_password("demo-steward-pass")


def test_the_demo_has_threads_with_replies_quotes_and_endorsements_on_several_clauses(db):
    from comments.models import Comment, Endorsement

    load()
    threads = Comment.objects.filter(parent__isnull=True)
    assert threads.values("clause").distinct().count() >= 4
    assert Comment.objects.filter(parent__isnull=False).count() >= 3
    assert threads.exclude(quote="").count() >= 3
    assert Endorsement.objects.exclude(note="").exists()
    assert set(threads.values_list("version__label", flat=True)) == {"0.1", "0.2", "1.0"}
