"""Model fields for personal information: SM4-encrypted at rest, plain text to the ORM.

The database holds ``sm4:<key_id>:<base64(nonce‖ciphertext‖tag)>``; Python code reads and writes plain
strings. Values written before encryption was switched on (no ``sm4:`` prefix) are read as they are
and encrypted on their next save. Each encryption uses a fresh nonce, so equal values give different
ciphertexts: such a field cannot be searched or used in a unique constraint (only ``isnull`` and
exact comparison with the empty string make sense).
"""

from django.db import models

from xizang5g.core import crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest with SM4-GCM"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "" or not crypto.is_encrypted(value):
            return value
        return crypto.decrypt_text(value)

    def to_python(self, value):
        if isinstance(value, str) and crypto.is_encrypted(value):
            return crypto.decrypt_text(value)
        return super().to_python(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or crypto.is_encrypted(value):
            return value
        return crypto.encrypt_text(str(value))

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "xizang5g.core.fields.EncryptedTextField", args, kwargs
