from django.db import models
from django.utils.translation import gettext_lazy as _


class DataType(models.TextChoices):
    """Thing-model data types (Alibaba IoT TSL / OneNET)."""

    INT = "int", _("Integer")
    FLOAT = "float", _("Single-precision float")
    DOUBLE = "double", _("Double-precision float")
    BOOL = "bool", _("Boolean")
    ENUM = "enum", _("Enumeration")
    TEXT = "text", _("Text")
    DATE = "date", _("Date (epoch milliseconds)")
    STRUCT = "struct", _("Structure")
    ARRAY = "array", _("Array")


class EventType(models.TextChoices):
    INFO = "info", _("Information")
    ALERT = "alert", _("Alert")
    ERROR = "error", _("Error")


class DeviceState(models.TextChoices):
    INACTIVE = "inactive", _("Never connected")
    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline")


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("Threshold with hysteresis")
    RANGE = "range", _("Outside a range")
    RATE = "rate", _("Rate of change")
    NO_DATA = "no_data", _("No data for N minutes")
    EVENT = "event", _("Event reported")


class Comparison(models.TextChoices):
    ABOVE = "above", _("above")
    BELOW = "below", _("below")


class Rollup(models.TextChoices):
    RAW = "raw", _("Raw readings")
    MINUTE = "1m", _("1-minute rollup")
    HOUR = "1h", _("1-hour rollup")


class IngestChannel(models.TextChoices):
    MQTT = "mqtt", "MQTT"
    HTTP = "http", "HTTP"
