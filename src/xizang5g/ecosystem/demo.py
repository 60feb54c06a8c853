"""Demo data of the ecosystem (all marked 【演示数据】 / is_demo): six organisations, demands and
solutions in Chinese that match sensibly, intents at each step, and upcoming events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xizang5g.core.models import AdminDivision, User
from xizang5g.ecosystem import services
from xizang5g.ecosystem.choices import EventKind, Maturity, OrganisationKind
from xizang5g.ecosystem.models import Demand, Organisation, Solution
from xizang5g.plan.models import Industry, Scenario

PASSWORD = "Xizang5G-demo!"

ORGANISATIONS = [
    # name, kind, credit code, prefecture adcode, contact, username
    (
        "中国移动通信集团西藏有限公司",
        OrganisationKind.OPERATOR,
        "915400007109001481",
        540100,
        "次仁",
        "eco-cmcc",
    ),
    ("西藏大学", OrganisationKind.UNIVERSITY, "12540000MB0P32617R", 540100, "卓玛", "eco-xzu"),
    (
        "藏北高原矿业有限公司",
        OrganisationKind.ENTERPRISE,
        "91540100MA6T4B7X1D",
        540100,
        "扎西",
        "xzmine",
    ),
    ("拉萨经济技术开发区", OrganisationKind.PARK, "11540100MB1574265F", 540100, "央金", "eco-park"),
    (
        "西藏智联科技有限公司",
        OrganisationKind.ENTERPRISE,
        "91540100MA6TKL018K",
        540100,
        "格桑",
        "eco-zhilian",
    ),
    (
        "雪域创新投资基金",
        OrganisationKind.INVESTOR,
        "91540100MA6TCY221C",
        540100,
        "达瓦",
        "eco-fund",
    ),
]

DEMANDS = [
    (
        "藏北高原矿业有限公司",
        "矿区5G专网与尾矿库安全在线监测",
        "我矿位于海拔4500米，井下和露天采场需要覆盖5G专网，实现尾矿库坝体位移、浸润线和库水位的在线监测预警，"
        "井下人员定位与有害气体监测数据实时回传调度中心，并支持无人驾驶矿卡的远程控制。",
        ["mining"],
        ["mine-safety-monitoring", "intelligent-extraction"],
        [540100, 540200],
        (Decimal("300"), Decimal("800")),
    ),
    (
        "拉萨经济技术开发区",
        "园区5G物联网与边缘计算平台",
        "开发区需要建设园区级5G物联网平台，接入企业能耗、环境和安防传感器，部署边缘计算节点，"
        "为入驻企业提供低时延的数据处理和云计算服务。",
        ["park"],
        ["iot", "edge-computing", "cloud-computing"],
        [540100],
        (Decimal("500"), Decimal("1500")),
    ),
    (
        "西藏大学",
        "偏远县中学5G远程互动课堂",
        "希望与运营商和企业合作，把西藏大学的优质课程通过5G远程互动课堂送到那曲、阿里的县中学，"
        "需要高清双向音视频、课堂互动和教学数据分析。",
        ["education"],
        ["remote-interactive-teaching"],
        [540600, 542500],
        (Decimal("100"), Decimal("300")),
    ),
]

SOLUTIONS = [
    (
        "中国移动通信集团西藏有限公司",
        "5G智慧矿山专网解决方案",
        "面向高海拔矿山的5G专网：井下与露天采场覆盖，边缘计算下沉，尾矿库安全监测、人员定位、"
        "有害气体监测和无人驾驶矿卡远程控制一体化，已在区内矿区试点。",
        ["mining"],
        ["mine-safety-monitoring", "intelligent-extraction"],
        [540100, 540200, 540500],
        Maturity.PILOT,
        True,
    ),
    (
        "西藏智联科技有限公司",
        "尾矿库在线监测预警系统",
        "按GB 51108-2015对尾矿库坝体位移、浸润线、库水位和降雨量进行在线监测，四级预警，支持5G和北斗回传。",
        ["mining"],
        ["mine-safety-monitoring"],
        [],
        Maturity.COMMERCIAL,
        True,
    ),
    (
        "中国移动通信集团西藏有限公司",
        "5G+智慧景区人流预警",
        "基于5G信令和闸机数据的景区人流监测与预警，按LB/T 034计算最大承载量，游客分流引导。",
        ["culture-tourism"],
        ["crowd-flow-warning"],
        [540100, 540400],
        Maturity.COMMERCIAL,
        True,
    ),
    (
        "中国移动通信集团西藏有限公司",
        "5G远程互动课堂解决方案",
        "双师课堂与远程互动教学：高清双向音视频、藏汉双语课程资源、课堂互动和教学数据分析，适用于偏远县中学。",
        ["education"],
        ["remote-interactive-teaching", "campus-smart-management"],
        [],
        Maturity.PILOT,
        False,
    ),
    (
        "西藏智联科技有限公司",
        "园区物联网平台与边缘计算节点",
        "园区级物联网平台，接入能耗、环境和安防传感器，边缘计算节点就近处理数据，提供云计算资源。",
        ["park"],
        ["iot", "edge-computing"],
        [540100],
        Maturity.COMMERCIAL,
        True,
    ),
]


def _org(name) -> Organisation:
    return Organisation.objects.get(name=name)


def ecosystem_demo(*, office: User, stdout=None) -> dict:
    """Load the demo (idempotent: organisations already present are left as they are)."""
    counts = {"organisations": 0, "demands": 0, "solutions": 0, "intents": 0, "events": 0}
    prefecture = {d.adcode: d for d in AdminDivision.objects.filter(level="prefecture")}
    with transaction.atomic():
        for name, kind, code, adcode, contact, username in ORGANISATIONS:
            if Organisation.objects.filter(name=name).exists():
                continue
            if User.objects.filter(username=username).exists():
                continue
            org = services.organisation_register(
                data=services.SignUp(
                    name=name,
                    kind=kind,
                    credit_code=code,
                    prefecture=prefecture[adcode],
                    contact_name=f"{contact}（演示）",
                    email=f"{username}@demo.example.cn",
                    phone="13908900000",
                    username=username,
                    password=PASSWORD,
                    introduction="【演示数据】",
                )
            )
            org.is_demo = True
            org.save(update_fields=["is_demo"])
            services.organisation_approve(organisation=org, user=office)
            counts["organisations"] += 1
        if not counts["organisations"]:
            return counts
        posts = {}
        for spec, model in ((DEMANDS, Demand), (SOLUTIONS, Solution)):
            for row in spec:
                org = _org(row[0])
                member = User.objects.filter(unit=org.unit).order_by("pk").first()
                values = {"title": row[1], "description": row[2]}
                tags = {
                    "industries": list(Industry.objects.filter(code__in=row[3])),
                    "scenarios": list(Scenario.objects.filter(code__in=row[4])),
                    "prefectures": [prefecture[a] for a in row[5]],
                }
                if not tags["industries"]:
                    continue  # the plan is not loaded
                if model is Demand:
                    values["budget_min_wan"], values["budget_max_wan"] = row[6]
                    values["wanted_by"] = timezone.localdate() + timedelta(days=180)
                    post = services.demand_create(user=member, values=values, tags=tags)
                    counts["demands"] += 1
                else:
                    values["maturity"], values["is_public"] = row[6], row[7]
                    post = services.solution_create(user=member, values=values, tags=tags)
                    counts["solutions"] += 1
                post.is_demo = True
                post.save(update_fields=["is_demo"])
                services.post_submit(post=post, user=member)
                services.post_publish(post=post, user=office)
                posts[row[1]] = (post, member)
        # The mine asks the operator; the operator accepts; they agree on a pilot.
        if "矿区5G专网与尾矿库安全在线监测" in posts and "5G智慧矿山专网解决方案" in posts:
            demand, mine = posts["矿区5G专网与尾矿库安全在线监测"]
            solution, cmcc = posts["5G智慧矿山专网解决方案"]
            intent = services.intent_express(
                user=mine, demand=demand, solution=solution, message="希望安排现场勘察。", score=80
            )
            services.intent_answer(
                intent=intent, user=cmcc, accept=True, text="下周派工程师到矿区。"
            )
            services.intent_note(intent=intent, user=mine, text="现场勘察完成，待报价。")
            counts["intents"] += 1
        # The park is asked by an IoT vendor and has not answered yet.
        if "园区5G物联网与边缘计算平台" in posts and "园区物联网平台与边缘计算节点" in posts:
            demand, _park = posts["园区5G物联网与边缘计算平台"]
            solution, vendor = posts["园区物联网平台与边缘计算节点"]
            services.intent_express(
                user=vendor,
                demand=demand,
                solution=solution,
                message="可先在一栋楼试点。",
                score=70,
            )
            counts["intents"] += 1
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        for title, kind, days, place, adcode, capacity, text in (
            (
                "“绽放杯”5G应用征集大赛西藏区域赛",
                EventKind.COMPETITION,
                30,
                "拉萨市 西藏大学体育馆",
                540100,
                200,
                "面向区内企业、高校和科研院所征集5G行业应用项目，优秀项目推荐参加全国赛。",
            ),
            (
                "5G+智慧矿山应用路演",
                EventKind.ROADSHOW,
                12,
                "拉萨经济技术开发区 创业孵化中心",
                540100,
                60,
                "矿山企业与解决方案提供方面对面：专网、尾矿库监测、无人驾驶矿卡。",
            ),
            (
                "5G+远程教育对接会",
                EventKind.FORUM,
                45,
                "那曲市 会展中心",
                540600,
                80,
                "学校与运营商、企业对接远程互动课堂需求。",
            ),
        ):
            event = services.event_save(
                user=office,
                values={
                    "title": title,
                    "kind": kind,
                    "starts_at": now + timedelta(days=days),
                    "ends_at": now + timedelta(days=days, hours=4),
                    "place": place,
                    "prefecture": prefecture.get(adcode),
                    "description": text,
                    "capacity": capacity,
                    "is_published": True,
                    "is_demo": True,
                },
            )
            counts["events"] += 1
            if kind == EventKind.ROADSHOW:
                for name in ("藏北高原矿业有限公司", "中国移动通信集团西藏有限公司"):
                    member = User.objects.filter(unit=_org(name).unit).order_by("pk").first()
                    services.event_register(event=event, user=member, attendees=3)
    return counts
