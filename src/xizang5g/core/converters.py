"""URL converters shared by every app's pages and API."""

from django.urls import register_converter


class IdConverter:
    """A database id in a URL: 1 to 18 digits, so it always fits a 64-bit key (a longer number
    is simply not a URL of the platform: 404, never an overflow in the database)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
