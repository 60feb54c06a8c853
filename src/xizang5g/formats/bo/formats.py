"""Tibetan (bo): Django ships no format module for it.

Dates read "Western year 2026, month 11, day 27" — སྤྱི་ལོ་2026 ཟླ་11 ཚེས་27 — the form of TAR
government documents written in Tibetan. Months are numbers, so no month name is looked up in a
catalogue Django lacks. Digits are Western Arabic digits, as in the region's forms and tables.
Format characters are ASCII letters (Django's `date` filter syntax); Tibetan letters pass through.
"""

DATE_FORMAT = "སྤྱི་ལོ་Y ཟླ་n ཚེས་j"  # སྤྱི་ལོ་2026 ཟླ་11 ཚེས་27
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "སྤྱི་ལོ་Y ཟླ་n ཚེས་j H:i"  # སྤྱི་ལོ་2026 ཟླ་11 ཚེས་27 14:05
YEAR_MONTH_FORMAT = "སྤྱི་ལོ་Y ཟླ་n"  # སྤྱི་ལོ་2026 ཟླ་11
MONTH_DAY_FORMAT = "ཟླ་n ཚེས་j"  # ཟླ་11 ཚེས་27
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-11-27
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-11-27 14:05
FIRST_DAY_OF_WEEK = 1  # གཟའ་ཟླ་བ། (Monday)

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
