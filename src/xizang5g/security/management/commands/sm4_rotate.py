from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from xizang5g.core import crypto
from xizang5g.core.fields import EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt every SM4-encrypted field with the active key (the first of XZ5G_SM4_KEYS). "
        "Rotation: put the new key first, keep the old ones, run this, then remove the old keys."
    )

    def handle(self, *args, **options):
        ring = crypto.key_ring()
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields or model._meta.proxy:
                continue
            names = [f.attname for f in fields]
            rewritten = 0
            with transaction.atomic():
                # Raw stored tokens (values() would decrypt): read through a plain-text cast.
                table = model._meta.db_table

                quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {connection.ops.quote_name(model._meta.pk.column)}, {quoted} FROM {connection.ops.quote_name(table)}"
                    )
                    rows = cursor.fetchall()
                for pk, *tokens in rows:
                    stale = {
                        name: token
                        for name, token in zip(names, tokens, strict=True)
                        if token
                        and (
                            not crypto.is_encrypted(token)
                            or crypto.token_key_id(token) != ring.active_id
                        )
                    }
                    if stale:
                        values = {
                            name: crypto.decrypt_text(t) if crypto.is_encrypted(t) else t
                            for name, t in stale.items()
                        }
                        # A re-encryption is no change of content: write the columns directly.
                        model._base_manager.filter(pk=pk).update(**values)
                        rewritten += 1
            if rewritten:
                self.stdout.write(
                    f"{model._meta.label}: {rewritten} row(s) re-encrypted with key {ring.active_id}"
                )
            total += rewritten
        self.stdout.write(
            self.style.SUCCESS(f"Done: {total} row(s) now under key {ring.active_id}.")
        )
