from django.db import migrations

# A thread's first comment is its own root: the database sets it as the row is stored, instead of
# an update after the insert (on PostgreSQL that update wrote the row and each of its indexes a
# second time). tests/test_migrations.py checks the trigger is there after every migration: on
# SQLite, Django rebuilds a table for many changes and the rebuild drops its triggers, so a later
# migration that rebuilds comments_comment must create this trigger again.
TRIGGER = "comments_comment_own_root"

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.root_id IS NULL AND NEW.parent_id IS NULL THEN
        NEW.root_id := NEW.id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER {TRIGGER} BEFORE INSERT ON comments_comment
FOR EACH ROW EXECUTE FUNCTION {TRIGGER}();
"""
POSTGRESQL_REVERSE = f"DROP TRIGGER {TRIGGER} ON comments_comment; DROP FUNCTION {TRIGGER}();"

SQLITE = f"""
CREATE TRIGGER {TRIGGER} AFTER INSERT ON comments_comment
FOR EACH ROW WHEN NEW.root_id IS NULL AND NEW.parent_id IS NULL
BEGIN
    UPDATE comments_comment SET root_id = NEW.id WHERE id = NEW.id;
END
"""
SQLITE_REVERSE = f"DROP TRIGGER {TRIGGER}"


def create(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRESQL if postgresql else SQLITE)


def drop(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRESQL_REVERSE if postgresql else SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0006_redundant_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
