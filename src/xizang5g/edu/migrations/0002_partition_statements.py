"""On PostgreSQL, make edu_statement a table partitioned by month of `stored` (PK (id, stored)),
managed by xizang5g.core.partitions like every partitioned table. A no-op on SQLite."""

from django.db import migrations

from xizang5g.core import partitions

CREATE_PARTITIONED = """
DROP TABLE IF EXISTS edu_statement;
CREATE TABLE edu_statement (
    id bigserial NOT NULL,
    statement_id uuid NOT NULL,
    stored timestamp with time zone NOT NULL,
    "timestamp" timestamp with time zone NOT NULL,
    verb varchar(512) NOT NULL,
    actor varchar(512) NOT NULL,
    activity varchar(512) NOT NULL,
    registration uuid NULL,
    voided boolean NOT NULL,
    voids uuid NULL,
    refs uuid NULL,
    school_id bigint NULL,
    credential_id bigint NULL,
    payload jsonb NOT NULL,
    attachment_hashes jsonb NOT NULL,
    PRIMARY KEY (id, stored)
) PARTITION BY RANGE (stored);
CREATE INDEX edu_statement_statement_id ON edu_statement (statement_id);
CREATE INDEX edu_stmt_actor_verb ON edu_statement (actor, verb, stored);
CREATE INDEX edu_stmt_verb ON edu_statement (verb, stored);
CREATE INDEX edu_stmt_activity ON edu_statement (activity, stored);
CREATE INDEX edu_stmt_registration ON edu_statement (registration, stored);
CREATE INDEX edu_stmt_school ON edu_statement (school_id, stored);
CREATE INDEX edu_stmt_stored ON edu_statement (stored);
CREATE INDEX edu_stmt_refs ON edu_statement (refs);
CREATE TABLE edu_statement_default PARTITION OF edu_statement DEFAULT;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CREATE_PARTITIONED)
    partitions.partitions_ensure("edu_statement", months_back=1, months_ahead=3)


def backwards(apps, schema_editor):
    pass  # the partitioned table is dropped with the model by the reversal of 0001


class Migration(migrations.Migration):
    dependencies = [("edu", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
