from xizang5g.core.models.alerts import Alert, AlertEvent
from xizang5g.core.models.base import ChangeLoggedModel
from xizang5g.core.models.changelog import ChangeLog
from xizang5g.core.models.divisions import AdminDivision, DivisionShape
from xizang5g.core.models.imports import ImportJob
from xizang5g.core.models.logins import LoginFailure
from xizang5g.core.models.notify import NotificationChannel
from xizang5g.core.models.pilots import Pilot
from xizang5g.core.models.schedule import PeriodicRun
from xizang5g.core.models.sequences import Sequence
from xizang5g.core.models.units import Unit
from xizang5g.core.models.users import ApiToken, User

__all__ = [
    "AdminDivision",
    "Alert",
    "AlertEvent",
    "ApiToken",
    "ChangeLog",
    "ChangeLoggedModel",
    "DivisionShape",
    "ImportJob",
    "LoginFailure",
    "NotificationChannel",
    "PeriodicRun",
    "Pilot",
    "Sequence",
    "Unit",
    "User",
]
