"""Realistic device fleets for the demo, publishing over MQTT like real devices.

Each simulated device is its own MQTT client (username `{device_name}&{product_key}`, its secret)
with a last will on its status topic, posting properties every few seconds with the Alibaba body:

- scenic-spot gate counters (文旅): visitors inside follow a daily curve (opening hours, midday
  peak) and a seasonal one (summer high season, winter low), entries/exits per interval;
- tailings-pond sensors (矿山): water level with slow drift and rain response, seepage, dam
  displacement; now and then a rise that trips the demo rules;
- yak GPS collars (农牧业) grazing on a pasture near Nagqu (4,500 m): a correlated random walk
  inside the pasture, speed, activity, body temperature, battery;
- barn environment sensors: temperature/humidity with a daily cycle, NH₃ and CO₂ that build up
  at night when the barn is closed;
- ambulance monitors (医疗): heart rate, SpO₂ (lower at altitude), blood pressure, position;
- park meters (园区): power with a working-day load curve and the energy counter.

About 1 % of posts carry a deliberate mistake (a value out of range) so the rejected-message log
has something to show. Demo devices' secrets are derived from SECRET_KEY (see `demo_secret`).
"""

import hashlib
import hmac
import json
import logging
import math
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import paho.mqtt.client as mqtt
from django.conf import settings
from django.utils import timezone
from paho.mqtt.client import CallbackAPIVersion

from xizang5g.iot.worker import BrokerAddress

logger = logging.getLogger(__name__)

NAGQU_PASTURE = (31.52, 92.10)  # lat, lon of the demo pasture near Nagqu (about 4,500 m)
PASTURE_RADIUS_DEG = 0.03


def demo_secret(product_key: str, device_name: str) -> str:
    """The secret of a demo device (demo data only; real devices get random secrets)."""
    message = f"xz5g-demo-device:{product_key}:{device_name}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def _local_hour(now: datetime) -> float:
    local = timezone.localtime(now)
    return local.hour + local.minute / 60.0


def _season(now: datetime) -> float:
    """0 in mid-January … 1 in mid-July (Xizang's tourist season is summer)."""
    day = timezone.localtime(now).timetuple().tm_yday
    return 0.5 - 0.5 * math.cos(2 * math.pi * (day - 15) / 365.0)


# --- one generator per product kind: state → params ----------------------------------------------
@dataclass
class Behaviour:
    rng: random.Random
    state: dict = field(default_factory=dict)

    def params(self, now: datetime, dt: float) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError


class GateCounter(Behaviour):
    capacity = 5000

    def params(self, now, dt):
        hour = _local_hour(now)
        open_curve = max(0.0, math.sin(math.pi * (hour - 8.5) / 10.5)) if 8.5 <= hour <= 19 else 0.0
        target = self.capacity * open_curve**1.4 * (0.35 + 0.65 * _season(now))
        inside = self.state.get("inside", target)
        inside += (target - inside) * min(1.0, dt / 600.0) + self.rng.gauss(0, 15)
        inside = max(0, inside)
        flow = max(
            0, int(abs(target - inside) * 0.1 + open_curve * 40 * dt / 10 + self.rng.gauss(0, 4))
        )
        entries = max(0, flow + int(max(0.0, target - inside) * 0.05))
        exits = max(0, flow - int(max(0.0, target - inside) * 0.05))
        self.state["inside"] = inside
        return {
            "inside": int(inside),
            "entries": entries,
            "exits": exits,
            "occupancy": round(100.0 * inside / self.capacity, 1),
        }


class TailingsPond(Behaviour):
    def params(self, now, dt):
        level = self.state.get("level", 18.0 + self.rng.uniform(-1, 1))
        surge = self.state.get("surge", 0.0)
        if surge <= 0 and self.rng.random() < 0.0003 * dt:
            surge = self.rng.uniform(1.5, 3.2)  # heavy rain upstream: the level rises for a while
        rise = min(surge, 0.01 * dt) if surge > 0 else 0.0
        level += rise - (level - 18.0) * 0.0008 * dt + self.rng.gauss(0, 0.01)
        surge = max(0.0, surge - rise)
        self.state.update(level=level, surge=surge)
        seepage = max(0.0, 2.0 + (level - 18.0) * 1.8 + self.rng.gauss(0, 0.15))
        return {
            "water_level": round(level, 2),
            "seepage": round(seepage, 2),
            "displacement": round(1.2 + (level - 18.0) * 0.3 + self.rng.gauss(0, 0.05), 2),
            "rainfall": round(max(0.0, surge * 3 + self.rng.gauss(0, 0.3)), 1),
        }


class YakCollar(Behaviour):
    def params(self, now, dt):
        lat0, lon0 = NAGQU_PASTURE
        lat = self.state.get("lat", lat0 + self.rng.uniform(-0.01, 0.01))
        lon = self.state.get("lon", lon0 + self.rng.uniform(-0.01, 0.01))
        heading = self.state.get("heading", self.rng.uniform(0, 2 * math.pi)) + self.rng.gauss(
            0, 0.4
        )
        grazing = 7 <= _local_hour(now) <= 19
        speed = max(0.0, (0.6 if grazing else 0.05) + self.rng.gauss(0, 0.2))  # km/h
        step = speed * dt / 3600.0 / 111.0
        lat, lon = (
            lat + step * math.cos(heading),
            lon + step * math.sin(heading) / math.cos(math.radians(lat)),
        )
        if (
            math.hypot(lat - lat0, lon - lon0) > PASTURE_RADIUS_DEG
        ):  # turn back at the pasture's edge
            heading += math.pi
        battery = max(5.0, self.state.get("battery", self.rng.uniform(60, 100)) - 0.0005 * dt)
        self.state.update(lat=lat, lon=lon, heading=heading, battery=battery)
        return {
            "position": {"lat": round(lat, 6), "lon": round(lon, 6)},
            "altitude": round(4510 + self.rng.gauss(0, 6), 1),
            "speed": round(speed, 2),
            "activity": 1 if grazing and speed > 0.2 else 0,
            "body_temp": round(38.6 + self.rng.gauss(0, 0.15), 1),
            "battery": round(battery, 1),
        }


class BarnSensor(Behaviour):
    def params(self, now, dt):
        hour = _local_hour(now)
        closed = hour < 8 or hour > 20
        nh3 = self.state.get("nh3", 8.0)
        nh3 += (0.004 if closed else -0.01) * dt + self.rng.gauss(0, 0.1)
        nh3 = min(max(nh3, 3.0), 40.0)
        self.state["nh3"] = nh3
        return {
            "temperature": round(
                6 + 8 * math.sin(math.pi * (hour - 8) / 12) + self.rng.gauss(0, 0.3), 1
            ),
            "humidity": round(55 + 10 * math.cos(math.pi * hour / 12) + self.rng.gauss(0, 1), 1),
            "nh3": round(nh3, 1),
            "co2": int(600 + nh3 * 40 + self.rng.gauss(0, 20)),
        }


class AmbulanceMonitor(Behaviour):
    def params(self, now, dt):
        hr = (
            self.state.get("hr", 92.0)
            + self.rng.gauss(0, 1.5)
            - (self.state.get("hr", 92.0) - 92) * 0.05
        )
        spo2 = (
            self.state.get("spo2", 90.0)
            + self.rng.gauss(0, 0.4)
            - (self.state.get("spo2", 90.0) - 90) * 0.1
        )
        self.state.update(hr=hr, spo2=spo2)
        lat = 29.65 + self.rng.uniform(-0.02, 0.02)
        return {
            "heart_rate": int(hr),
            "spo2": round(min(100.0, spo2), 1),
            "bp_sys": int(128 + self.rng.gauss(0, 4)),
            "bp_dia": int(82 + self.rng.gauss(0, 3)),
            "position": {
                "lat": round(lat, 5),
                "lon": round(91.13 + self.rng.uniform(-0.03, 0.03), 5),
            },
        }


class ParkMeter(Behaviour):
    def params(self, now, dt):
        hour = _local_hour(now)
        weekday = timezone.localtime(now).weekday() < 5
        load = 120 + (380 if weekday and 8.5 <= hour <= 18.5 else 60) + self.rng.gauss(0, 15)
        energy = self.state.get("energy", self.rng.uniform(1e5, 3e5)) + load * dt / 3600.0
        self.state["energy"] = energy
        return {
            "power": round(load, 1),
            "energy": round(energy, 1),
            "voltage": round(398 + self.rng.gauss(0, 2), 1),
        }


BEHAVIOURS: dict[str, type[Behaviour]] = {
    "gate": GateCounter,
    "tailings": TailingsPond,
    "yak": YakCollar,
    "barn": BarnSensor,
    "ambulance": AmbulanceMonitor,
    "meter": ParkMeter,
}


# --- the fleet -------------------------------------------------------------------------------------
@dataclass
class SimDevice:
    product_key: str
    device_name: str
    secret: str
    behaviour: Behaviour
    period: float
    bad_ratio: float = 0.01
    bad_value: Callable[[dict], dict] | None = None

    def topic(self) -> str:
        return f"/sys/{self.product_key}/{self.device_name}/thing/event/property/post"

    def status_topic(self) -> str:
        return f"/sys/{self.product_key}/{self.device_name}/thing/status"


class Fleet:
    """Connects every device and posts on its own period until stopped."""

    def __init__(
        self, url: str, devices: list[SimDevice], *, mqtt5: bool = False, auth: bool = True
    ):
        self.address = BrokerAddress.parse(url)
        self.devices, self.mqtt5, self.auth = devices, mqtt5, auth
        self._stop = threading.Event()
        self._clients: list[mqtt.Client] = []
        self._thread: threading.Thread | None = None
        self.published = 0

    def _client(self, device: SimDevice) -> mqtt.Client:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"{device.product_key}.{device.device_name}",
            protocol=mqtt.MQTTv5 if self.mqtt5 else mqtt.MQTTv311,
        )
        if self.auth:
            client.username_pw_set(f"{device.device_name}&{device.product_key}", device.secret)
        client.will_set(device.status_topic(), json.dumps({"state": "offline"}), qos=1)
        client.on_connect = lambda c, u, f, rc, p=None, d=device: c.publish(
            d.status_topic(), json.dumps({"state": "online"}), qos=1
        )
        client.reconnect_delay_set(1, 30)
        client.connect_async(self.address.host, self.address.port, keepalive=60)
        client.loop_start()
        return client

    def start(self) -> "Fleet":
        self._thread = threading.Thread(target=self.run, name="xz5g-simulate", daemon=True)
        self._thread.start()
        return self

    def run(self) -> None:
        clients = [self._client(d) for d in self.devices]
        self._clients = clients
        rng = random.Random()
        due = [time.monotonic() + rng.uniform(0.5, d.period) for d in self.devices]
        last = [time.monotonic()] * len(self.devices)
        while not self._stop.is_set():
            now_m = time.monotonic()
            for i, device in enumerate(self.devices):
                if now_m < due[i]:
                    continue
                dt, last[i], due[i] = now_m - last[i], now_m, now_m + device.period
                params = device.behaviour.params(timezone.now(), max(dt, 1.0))
                if rng.random() < device.bad_ratio and device.bad_value is not None:
                    params = device.bad_value(params)
                body = {
                    "id": f"{int(time.time() * 1000)}{rng.randrange(1000):03d}",
                    "version": "1.0",
                    "params": params,
                    "method": "thing.event.property.post",
                }
                clients[i].publish(device.topic(), json.dumps(body, ensure_ascii=False), qos=1)
                self.published += 1
            self._stop.wait(0.2)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for client, device in zip(self._clients, self.devices, strict=False):
            client.publish(device.status_topic(), json.dumps({"state": "offline"}), qos=1)
            client.disconnect()
            client.loop_stop()


def run_fleet(devices, *, url: str | None, seconds: float, what: str, write) -> int:
    """Publish `devices` over MQTT until SIGTERM/SIGINT (or `seconds`); the messages published.
    The broker is `url`, else MQTT_URL, else the embedded broker (which authenticates devices)."""

    url = url or settings.MQTT_URL or f"mqtt://127.0.0.1:{settings.XZ5G_EMBEDDED_MQTT_PORT}"
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    fleet = Fleet(url, devices, mqtt5=bool(settings.MQTT_URL), auth=not settings.MQTT_URL).start()
    write(f"simulating {len(devices)} {what} on {url}")
    stop.wait(seconds or None)
    fleet.stop()
    write(f"published {fleet.published} messages")
    return fleet.published
