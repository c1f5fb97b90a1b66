from django.db import migrations

# Full-text search indexes, on PostgreSQL only (SQLite searches without them). The expressions
# are built by Django exactly as the search queries build them, so the planner can use them.


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    ClauseText = apps.get_model("definition", "ClauseText")
    Comment = apps.get_model("comments", "Comment")
    schema_editor.add_index(
        ClauseText, GinIndex(SearchVector("heading", "body", config="english"), name="clausetext_search")
    )
    schema_editor.add_index(Comment, GinIndex(SearchVector("body", config="english"), name="comment_search"))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS clausetext_search")
        schema_editor.execute("DROP INDEX IF EXISTS comment_search")


class Migration(migrations.Migration):
    dependencies = [("definition", "0003_drafting"), ("comments", "0002_remove_comment_comment_status_valid_and_more")]

    operations = [migrations.RunPython(create, drop)]
