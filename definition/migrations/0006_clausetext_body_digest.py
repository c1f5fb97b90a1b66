import hashlib

from django.db import migrations, models

# Every stored clause text's digest, published ones included: derived from the stored source, not
# a change to the text, so PostgreSQL's guard on published text stands aside for this migration
# alone (in its transaction), as for 0004's words.
TRIGGER = "definition_clausetext_frozen"


def fill_digests(apps, schema_editor):
    ClauseText = apps.get_model("definition", "ClauseText")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE definition_clausetext DISABLE TRIGGER {TRIGGER}")
    batch = []
    for text in ClauseText.objects.only("pk", "body").iterator(chunk_size=500):
        # definition.models.body_digest_of, as it is today (a migration keeps its own copy).
        text.body_digest = hashlib.blake2b(text.body.encode(), digest_size=16).hexdigest()
        batch.append(text)
        if len(batch) == 500:
            ClauseText.objects.bulk_update(batch, ["body_digest"])
            batch = []
    ClauseText.objects.bulk_update(batch, ["body_digest"])
    if postgresql:
        schema_editor.execute(f"ALTER TABLE definition_clausetext ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [
        ("definition", "0005_clausetext_version_position"),
    ]

    operations = [
        migrations.AddField(
            model_name="clausetext",
            name="body_digest",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
    ]
