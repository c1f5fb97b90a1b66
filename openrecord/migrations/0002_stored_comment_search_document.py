from django.db import migrations

# Comments' full-text document stored in a generated column with its own GIN index, on
# PostgreSQL only. Ranking reads each matching row's document: computed from the body on the
# fly, a search for common words read thousands of bodies and took seconds (found by the load
# test); stored, the same ranked query takes milliseconds. The model does not declare the
# column (SQLite has no tsvector); openrecord/search.py names it.

FORWARD = """
ALTER TABLE comments_comment ADD COLUMN search_document tsvector
    GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(body, ''))) STORED;
CREATE INDEX comment_search_document ON comments_comment USING GIN (search_document);
DROP INDEX IF EXISTS comment_search;
"""
BACKWARD = """
DROP INDEX IF EXISTS comment_search_document;
ALTER TABLE comments_comment DROP COLUMN IF EXISTS search_document;
CREATE INDEX comment_search ON comments_comment USING GIN (to_tsvector('english'::regconfig, COALESCE(body, '')));
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("openrecord", "0001_search_indexes")]

    operations = [migrations.RunPython(forward, backward)]
