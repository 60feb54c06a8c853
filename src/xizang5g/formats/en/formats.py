"""English: day month year ("27 Nov 2026"), 24-hour times, as in the region's English documents.

Django's own English formats ("Nov. 27, 2026, 2:05 p.m.") are American; only the display formats
change here, the input formats fall back to Django's (ISO dates first).
"""

DATE_FORMAT = "j M Y"  # 27 Nov 2026
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "j M Y H:i"  # 27 Nov 2026 14:05
YEAR_MONTH_FORMAT = "M Y"  # Nov 2026
MONTH_DAY_FORMAT = "j M"  # 27 Nov
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-11-27
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-11-27 14:05
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
