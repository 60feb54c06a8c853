"""The statements' indexes serve the LRS's queries newest first (issue 17): the actor's in the
order the query filters and sorts (actor[, verb], stored DESC, id DESC), registration and refs
only where set. On PostgreSQL each index is made on the partitioned table, hence on every month's
partition; on a large table this holds writes while it builds."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('edu', '0002_partition_statements'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='statement',
            name='edu_stmt_actor_verb',
        ),
        migrations.RemoveIndex(
            model_name='statement',
            name='edu_stmt_registration',
        ),
        migrations.RemoveIndex(
            model_name='statement',
            name='edu_stmt_refs',
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(fields=['actor', 'verb', '-stored', '-id'], name='edu_stmt_actor_verb_t'),
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(fields=['actor', '-stored', '-id'], name='edu_stmt_actor_t'),
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(condition=models.Q(('registration__isnull', False)), fields=['registration', 'stored'], name='edu_stmt_registration_set'),
        ),
        migrations.AddIndex(
            model_name='statement',
            index=models.Index(condition=models.Q(('refs__isnull', False)), fields=['refs'], name='edu_stmt_refs_set'),
        ),
    ]
