from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("definition", "0004_clause_words"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="clausetext",
            index=models.Index(fields=["version", "position"], name="clausetext_version_position"),
        ),
    ]
