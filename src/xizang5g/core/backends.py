"""The password backend: Django's, loading the signed-in user together with their unit."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UnitModelBackend(ModelBackend):
    """Every page shows the user's unit and the access rule reads it: one query, not two."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("unit")
        try:
            user = users.get(pk=user_id)
        except (users.model.DoesNotExist, ValueError, TypeError):
            return None
        return user if self.user_can_authenticate(user) else None
