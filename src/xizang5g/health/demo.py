"""Demo data of the health app (all labelled 【演示数据】): ambulances with monitors in Lhasa,
Shigatse, Nyingchi and Nagqu, calls at every step of their run with vitals, remote consultations
from township clinics, and four weeks of syndromic counts with an outbreak for the EARS warning;
and the simulated monitors (`health_simulate`) that post vitals over MQTT like real devices."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from xizang5g.core.choices import Role, UnitKind
from xizang5g.core.models import AdminDivision, Unit, User
from xizang5g.health import services
from xizang5g.health.choices import CallState
from xizang5g.health.models import Ambulance, Consultation, EmergencyCall, SyndromicCount
from xizang5g.health.monitor import MONITOR_PRODUCT_KEY, MONITOR_THING_MODEL
from xizang5g.iot import services as iot
from xizang5g.iot.models import Device, Product
from xizang5g.iot.simulators import Behaviour, SimDevice, demo_secret

DEMO = "【演示数据】"
CENTRE = "health"  # the regional health commission coordinates 120 in the demo
HOSPITAL = "tar-peoples-hospital"
CITIES = (  # name, lon, lat, altitude (m), city adcode
    ("拉萨", 91.1322, 29.6604, 3650, 540100),
    ("日喀则", 88.8811, 29.2675, 3840, 540200),
    ("林芝", 94.3615, 29.6489, 3000, 540400),
    ("那曲", 92.0512, 31.4762, 4500, 540600),
)
CALM = {
    "heart_rate": 84,
    "respiration_rate": 17,
    "spo2": 93,
    "systolic_bp": 126,
    "temperature_c": 36.8,
    "consciousness": "A",
    "on_oxygen": False,
    "spo2_scale": 1,
}


def _unit(code: str, name: str, kind: str = UnitKind.INSTITUTION) -> Unit:
    unit, _ = Unit.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    return unit


def _admin() -> User:
    user = User.objects.filter(username="health-demo").first()
    if user is None:
        user = User(username="health-demo", role=Role.PLAN_ADMIN)
        user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def health_demo_load() -> dict:
    if Ambulance.objects.filter(code__startswith="demo-").exists():
        return {"created": False}
    rng = random.Random(18)
    admin = _admin()
    centre = _unit(CENTRE, "西藏自治区卫生健康委员会", UnitKind.DEPARTMENT)
    hospital = _unit(HOSPITAL, "西藏自治区人民医院")
    product = Product.objects.filter(product_key=MONITOR_PRODUCT_KEY).first() or iot.product_create(
        name="5G救护车监护仪（NEWS2）",
        thing_model=MONITOR_THING_MODEL,
        unit=centre,
        product_key=MONITOR_PRODUCT_KEY,
        description=DEMO + "车载监护仪：呼吸、血氧、血压、心率、意识、体温、吸氧、位置。",
    )
    ambulances = []
    for city, lon, lat, _alt, adcode in CITIES:
        division = AdminDivision.objects.filter(adcode=adcode).first()
        for n in range(3):
            name = f"demo-{adcode}-{n + 1}"
            device = (
                Device.objects.filter(product=product, name=name).first()
                or iot.device_create(
                    product=product,
                    name=name,
                    unit=centre,
                    label=f"{city}120-{n + 1}号车",
                    secret=demo_secret(MONITOR_PRODUCT_KEY, name),
                )[0]
            )
            ambulances.append(
                services.ambulance_create(
                    code=name,
                    name=f"{city}120 {n + 1}号车",
                    unit=centre,
                    division=division,
                    lon=lon + rng.uniform(-0.04, 0.04),
                    lat=lat + rng.uniform(-0.03, 0.03),
                    device=device,
                    user=admin,
                )
            )
    now = timezone.now()
    complaints = [
        "胸痛伴大汗",
        "呼吸困难、咳粉红色泡沫痰",
        "车祸外伤",
        "高热惊厥",
        "腹痛呕吐",
        "晕厥",
    ]
    # handed-over runs of the past days (the times behind the dashboards)
    for k in range(8):
        amb = ambulances[k % len(ambulances)]
        received = now - timedelta(days=1 + k, minutes=rng.randint(0, 600))
        call = services.call_create(
            unit=centre,
            caller_lon=amb.lon + 0.03,
            caller_lat=amb.lat + 0.02,
            chief_complaint=DEMO + complaints[k % len(complaints)],
            priority=1 + k % 3,
            patient_altitude_m=CITIES[(k % len(ambulances)) // 3][3],
            received_at=received,
            user=admin,
        )
        call = services.call_dispatch(call=call, ambulance=amb, user=admin)
        for state in (
            CallState.EN_ROUTE,
            CallState.ON_SCENE,
            CallState.TRANSPORTING,
            CallState.AT_HOSPITAL,
        ):
            call = services.call_advance(call=call, state=state, hospital=hospital, user=admin)
        services.call_handover(call=call, note=DEMO + "生命体征平稳，交接急诊科。", user=admin)
    # live runs: two transporting to the hospital (with vitals), one on scene, one waiting
    lhasa = [a for a in ambulances if a.code.startswith("demo-540100")]
    for k, (amb, worsening) in enumerate(((lhasa[0], True), (lhasa[1], False))):
        call = services.call_create(
            unit=centre,
            caller_lon=amb.lon + 0.05,
            caller_lat=amb.lat + 0.03,
            chief_complaint=DEMO + complaints[k],
            priority=1,
            patient_altitude_m=3650,
            user=admin,
        )
        call = services.call_dispatch(call=call, ambulance=amb, user=admin)
        for state in (CallState.EN_ROUTE, CallState.ON_SCENE):
            call = services.call_advance(call=call, state=state, user=admin)
        services.call_advance(
            call=call,
            state=CallState.TRANSPORTING,
            hospital=hospital,
            eta=services.eta_from_minutes(18 + 7 * k),
            user=admin,
        )
        updates = []
        for i in range(60):
            t = now - timedelta(seconds=(60 - i) * 10)
            f = i / 60 if worsening else 0
            updates.append(
                (
                    f"demo-{call.pk}-{i}",
                    t,
                    {
                        **CALM,
                        "heart_rate": int(84 + 34 * f + rng.gauss(0, 2)),
                        "respiration_rate": int(17 + 9 * f),
                        "spo2": int(93 - 6 * f),
                        "on_oxygen": f > 0.5,
                        "systolic_bp": int(126 - 28 * f),
                        "temperature_c": round(36.8 + 1.6 * f, 1),
                    },
                )
            )
        services.vitals_record_many(ambulance=amb, updates=updates)
    nagqu = [a for a in ambulances if a.code.startswith("demo-540600")]
    call = services.call_create(
        unit=centre,
        caller_lon=nagqu[0].lon + 0.1,
        caller_lat=nagqu[0].lat,
        chief_complaint=DEMO + "牧民高原反应加重",
        priority=2,
        patient_altitude_m=4700,
        user=admin,
    )
    call = services.call_dispatch(call=call, ambulance=nagqu[0], user=admin)
    services.call_advance(call=call, state=CallState.EN_ROUTE, user=admin)
    services.call_advance(call=call, state=CallState.ON_SCENE, user=admin)
    services.call_create(
        unit=centre,
        caller_lon=88.9,
        caller_lat=29.28,
        chief_complaint=DEMO + "老人跌倒",
        priority=2,
        patient_altitude_m=3840,
        user=admin,
    )
    # remote consultations from township clinics
    clinics = [
        _unit("demo-damxung-clinic", DEMO + "当雄县乌玛塘乡卫生院"),
        _unit("demo-nyemo-clinic", DEMO + "尼木县卫生服务中心"),
    ]
    for k, clinic in enumerate(clinics * 2):
        c = services.consultation_request(
            requesting_unit=clinic,
            consulting_unit=hospital,
            department=("high_altitude", "radiology", "cardiology", "obstetrics")[k],
            urgency=("urgent", "routine", "emergency", "routine")[k],
            question=DEMO
            + ("疑似高原肺水肿，请会诊", "胸片读片", "心电图ST段抬高？", "妊娠高血压随访")[k],
            attachments=[
                {
                    "kind": ("dicom", "dicom", "ecg", "report")[k],
                    "ref": f"1.2.826.0.1.3680043.8.498.{100 + k}",
                }
            ],
            requested_at=now - timedelta(hours=30 - 7 * k),
            user=admin,
        )
        if k < 3:
            services.consultation_schedule(
                consultation=c,
                specialist=("扎西主任", "卓玛医师", "李主任")[k],
                scheduled_for=c.requested_at + timedelta(hours=1),
                user=admin,
            )
        if k < 2:
            services.consultation_complete(
                consultation=c,
                outcome=DEMO + ("建议持续吸氧、转诊", "未见明显异常")[k],
                started_at=c.requested_at + timedelta(hours=1),
                ended_at=c.requested_at + timedelta(hours=1, minutes=25),
                rtt_ms=round(rng.uniform(18, 45), 1),
                downlink_mbps=round(rng.uniform(180, 420)),
                uplink_mbps=round(rng.uniform(40, 90)),
                loss_pct=round(rng.uniform(0, 0.5), 2),
                user=admin,
            )
    # four weeks of syndromic counts in four counties, an outbreak of respiratory cases in one
    counties = list(
        AdminDivision.objects.filter(level="county", adcode__in=(540102, 540202, 540402, 540602))
    )
    today = timezone.localdate()
    for county in counties:
        for d in range(28):
            day = today - timedelta(days=28 - d)
            for syndrome, base in (("fever", 6), ("respiratory", 9), ("diarrhoea", 3)):
                n = max(0, round(rng.gauss(base, base**0.5)))
                if county.adcode == 540602 and syndrome == "respiratory" and d >= 25:
                    n += 12 + 6 * (d - 25)
                SyndromicCount.objects.create(
                    division=county, unit=centre, day=day, syndrome=syndrome, count=n
                )
    alarms = services.syndromic_check(day=today - timedelta(days=1))
    return {
        "created": True,
        "ambulances": len(ambulances),
        "calls": EmergencyCall.objects.count(),
        "consultations": Consultation.objects.count(),
        "epidemic_alarms": len(alarms),
    }


@dataclass
class PatientMonitor(Behaviour):
    """A monitor in an ambulance: calm vitals with noise; now and then a patient deteriorates
    over a few minutes (NEWS2 rises to medium, then high) and recovers."""

    def params(self, now, dt):
        s = self.state
        s.setdefault("lon", 91.13 + self.rng.uniform(-0.05, 0.05))
        s.setdefault("lat", 29.66 + self.rng.uniform(-0.03, 0.03))
        s.setdefault("f", 0.0)
        if s.get("trend", 0) == 0 and self.rng.random() < 0.002 * dt:
            s["trend"] = 1
        s["f"] = min(1.0, max(0.0, s["f"] + s.get("trend", 0) * dt / 180))
        if s["f"] >= 1.0:
            s["trend"] = -1
        elif s["f"] <= 0.0:
            s["trend"] = 0
        f = s["f"]
        s["lon"] += self.rng.uniform(-3e-4, 3e-4)
        s["lat"] += self.rng.uniform(-3e-4, 3e-4)
        return {
            "heart_rate": int(84 + 36 * f + self.rng.gauss(0, 2)),
            "respiration_rate": int(17 + 10 * f + self.rng.gauss(0, 0.7)),
            "spo2": int(min(100, 93 - 7 * f + self.rng.gauss(0, 0.6))),
            "systolic_bp": int(126 - 30 * f + self.rng.gauss(0, 3)),
            "temperature_c": round(36.8 + 1.6 * f + self.rng.gauss(0, 0.05), 1),
            "consciousness": "A" if f < 0.8 else "C",
            "on_oxygen": f > 0.5,
            "spo2_scale": 1,
            "lon": round(s["lon"], 5),
            "lat": round(s["lat"], 5),
        }


def simulated_monitors(*, period: float = 1.0) -> list[SimDevice]:
    rng = random.Random()
    return [
        SimDevice(
            product_key=MONITOR_PRODUCT_KEY,
            device_name=device.name,
            secret=demo_secret(MONITOR_PRODUCT_KEY, device.name),
            behaviour=PatientMonitor(random.Random(rng.random())),
            period=period,
            bad_ratio=0.0,
        )
        for device in Device.objects.filter(
            product__product_key=MONITOR_PRODUCT_KEY, name__startswith="demo-"
        )
    ]
