"""Users' full names become SM4-encrypted at rest (personal information, see core/fields.py)."""

from django.db import migrations

import xizang5g.core.fields


def encrypt_existing(apps, schema_editor):
    """Re-save every plain full name: the field encrypts on the way to the database."""
    User = apps.get_model("core", "User")
    for user in User.objects.exclude(full_name="").only("pk", "full_name").iterator():
        User.objects.filter(pk=user.pk).update(full_name=user.full_name)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_notificationchannel"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="full_name",
            field=xizang5g.core.fields.EncryptedTextField(
                blank=True, max_length=100, verbose_name="full name"
            ),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
