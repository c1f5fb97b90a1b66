from django.db import migrations

# On PostgreSQL the database itself also refuses changes to a published version's clause texts,
# so no code path (raw SQL, a bulk update, a future bug) can alter published text.
TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION definition_refuse_published_text() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND EXISTS (
        SELECT 1 FROM definition_version WHERE id = OLD.version_id AND status = 'published'
    ) THEN
        RAISE EXCEPTION 'the text of a published version cannot change';
    END IF;
    IF TG_OP <> 'DELETE' AND EXISTS (
        SELECT 1 FROM definition_version WHERE id = NEW.version_id AND status = 'published'
    ) THEN
        RAISE EXCEPTION 'the text of a published version cannot change';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER definition_clausetext_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON definition_clausetext
    FOR EACH ROW EXECUTE FUNCTION definition_refuse_published_text();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS definition_clausetext_frozen ON definition_clausetext;
DROP FUNCTION IF EXISTS definition_refuse_published_text();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Stewards")


class Migration(migrations.Migration):
    dependencies = [
        ("definition", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_group, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
