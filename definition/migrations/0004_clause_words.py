from django.db import migrations, models

from docket.markdown import plain_text

# The words of every stored clause text, published ones included: they are derived from the
# stored HTML, not a change to the text, so PostgreSQL's guard on published text stands aside for
# this migration alone (in its transaction).
TRIGGER = "definition_clausetext_frozen"


def fill_words(apps, schema_editor):
    ClauseText = apps.get_model("definition", "ClauseText")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE definition_clausetext DISABLE TRIGGER {TRIGGER}")
    batch = []
    for text in ClauseText.objects.only("pk", "body_html").iterator(chunk_size=500):
        text.body_words = plain_text(text.body_html)
        batch.append(text)
        if len(batch) == 500:
            ClauseText.objects.bulk_update(batch, ["body_words"])
            batch = []
    ClauseText.objects.bulk_update(batch, ["body_words"])
    if postgresql:
        schema_editor.execute(f"ALTER TABLE definition_clausetext ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [
        ("definition", "0003_drafting"),
    ]

    operations = [
        migrations.AddField(
            model_name="clausetext",
            name="body_words",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_words, migrations.RunPython.noop),
    ]
