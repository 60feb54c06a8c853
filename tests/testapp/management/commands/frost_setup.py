"""The content frost watch ships: the weather-station product that farmers' stations join.
Run by `xizang5g setup` (the app's `setup_commands`); idempotent."""

from django.core.management.base import BaseCommand

from xizang5g.iot import services
from xizang5g.iot.models import Product

PRODUCT_KEY = "frost-weather-station"
WEATHER_STATION = {
    "capabilities": ["weather_station"],
    "properties": [
        {
            "identifier": "temperature",
            "name": "气温",
            "dataType": {"type": "float", "specs": {"min": "-60", "max": "60", "unit": "°C"}},
        }
    ],
}


class Command(BaseCommand):
    help = "Install frost watch's weather-station product (idempotent)."

    def handle(self, *args, **options):
        if Product.objects.filter(product_key=PRODUCT_KEY).exists():
            self.stdout.write("frost watch: weather-station product present")
            return
        services.product_create(
            name="温室气象站", thing_model=WEATHER_STATION, product_key=PRODUCT_KEY
        )
        self.stdout.write("frost watch: weather-station product installed")
