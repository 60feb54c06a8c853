"""The device directory: (product key, device name) → what ingest needs to know of a device
(id, unit, credentials hash, compiled thing model), cached in each process."""

import threading
import time as _time
from dataclasses import dataclass, field

from xizang5g.iot.models import Device, Product
from xizang5g.iot.tsl import CompiledModel, compile_thing_model


@dataclass
class DeviceInfo:
    id: int
    name: str
    label: str
    product_id: int
    product_key: str
    unit_id: int
    enabled: bool
    secret_hash: str
    model: CompiledModel
    loaded_at: float = field(default_factory=_time.monotonic)

    def __str__(self) -> str:
        return self.label or self.name


class DeviceDirectory:
    """(product_key, device_name) → DeviceInfo, cached for `ttl` seconds (misses for less)."""

    # What a DeviceInfo is made of (`_info`'s arguments, in order).
    _COLUMNS = (
        "id",
        "name",
        "label",
        "product_id",
        "unit_id",
        "enabled",
        "secret_hash",
        "product__product_key",
        "product__updated_at",
    )

    def __init__(self, ttl: float = 30.0, miss_ttl: float = 5.0):
        self.ttl, self.miss_ttl = ttl, miss_ttl
        self._cache: dict[tuple[str, str], DeviceInfo | float] = {}
        self._models: dict[tuple[int, str], CompiledModel] = {}
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()

    def get(self, product_key: str, device_name: str) -> DeviceInfo | None:
        key = (product_key, device_name)
        now = _time.monotonic()
        hit = self._cache.get(key)
        if isinstance(hit, DeviceInfo) and now - hit.loaded_at < self.ttl:
            return hit
        if isinstance(hit, float) and now - hit < self.miss_ttl:
            return None
        info = self._load(product_key, device_name)
        with self._lock:
            self._cache[key] = info if info is not None else now
        return info

    def get_many(self, keys: set[tuple[str, str]]) -> None:
        """Warm the cache for many devices in one query."""
        now = _time.monotonic()
        missing = {
            k
            for k in keys
            if not (
                isinstance(self._cache.get(k), DeviceInfo)
                and now - self._cache[k].loaded_at < self.ttl
            )
        }
        if len(missing) < 2:
            return
        # Only the columns a DeviceInfo needs: all of a busy fleet's entries expire together, and
        # fetching each product's thing model with every device made the reload a stall.
        rows = Device.objects.filter(name__in={name for _, name in missing}).values_list(
            *self._COLUMNS
        )
        for row in rows:
            info = self._info(*row)
            key = (info.product_key, info.name)
            if key in missing:
                with self._lock:
                    self._cache[key] = info

    def _load(self, product_key: str, device_name: str) -> DeviceInfo | None:
        row = (
            Device.objects.filter(product__product_key=product_key, name=device_name)
            .values_list(*self._COLUMNS)
            .first()
        )
        return self._info(*row) if row is not None else None

    def _info(
        self, pk, name, label, product_id, unit_id, enabled, secret_hash, product_key, updated_at
    ) -> DeviceInfo:
        version = (product_id, updated_at.isoformat() if updated_at else "")
        model = self._models.get(version)
        if model is None:
            model = self._models[version] = self._compile(product_id)
        return DeviceInfo(
            id=pk,
            name=name,
            label=label,
            product_id=product_id,
            product_key=product_key,
            unit_id=unit_id,
            enabled=enabled,
            secret_hash=secret_hash,
            model=model,
        )

    @staticmethod
    def _compile(product_id: int) -> CompiledModel:
        thing_model = Product.objects.filter(pk=product_id).values_list("thing_model", flat=True)
        return compile_thing_model(thing_model.first() or {})


directory = DeviceDirectory()
