"""The portal's demo news (【演示数据】): published by the plan office, idempotent by title."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from xizang5g.core.choices import Role
from xizang5g.portal import services
from xizang5g.portal.choices import NewsKind, NewsStatus
from xizang5g.portal.models import NewsItem

LHASA = ZoneInfo("Asia/Shanghai")

ITEMS = (
    (
        NewsKind.POLICY,
        "【演示数据】《西藏自治区5G应用实施方案》印发",
        "自治区印发5G应用实施方案，明确医疗、教育、文旅、矿山、园区等行业5G应用的年度目标与主要任务。",
        "为加快5G网络建设和应用推广，自治区经济和信息化厅会同有关部门制定了《西藏自治区5G应用实施方案》。\n\n"
        "方案提出，到2022年，5G在医疗健康、教育、文化旅游、矿山、工业园区等重点行业形成一批试点示范；"
        "到2025年，推广一批可复制的典型案例。\n\n方案全文见附件（演示数据，非正式文件）。",
        datetime(2020, 9, 18, 10, 0, tzinfo=LHASA),
    ),
    (
        NewsKind.NOTICE,
        "【演示数据】关于组织参加第四届“绽放杯”5G应用征集大赛西藏区域赛的通知",
        "面向区内企业、医院、学校、景区征集5G应用项目，报名截止日期为7月31日。",
        "各有关单位：\n\n为推动5G应用创新，现组织开展“绽放杯”5G应用征集大赛西藏区域赛。"
        "参赛项目应已在区内落地或开展试点，围绕智慧医疗、智慧教育、智慧文旅、智慧矿山、智慧园区等方向。\n\n"
        "请于7月31日前通过平台提交报名材料。",
        datetime(2021, 6, 1, 9, 30, tzinfo=LHASA),
    ),
    (
        NewsKind.NEWS,
        "【演示数据】拉萨市5G+远程会诊覆盖全部县级医院",
        "依托5G网络，区人民医院与拉萨市各县级医院实现远程会诊常态化。",
        "区卫生健康委介绍，5G+远程会诊试点项目已覆盖拉萨市全部县级医院，"
        "基层患者在县里即可得到区级专家的会诊意见。\n\n该项目已被评为5G应用典型案例。",
        datetime(2022, 3, 15, 16, 0, tzinfo=LHASA),
    ),
    (
        NewsKind.NOTICE,
        "【演示数据】5G基站电磁辐射公众咨询与监测申请渠道开通",
        "公众可在门户网站申请基站电磁辐射监测，无线电管理机构将在规定时间内答复。",
        "为回应公众对5G基站电磁辐射的关切，通信管理局在本门户开通电磁辐射科普与监测申请渠道。"
        "申请人提交后将获得受理编号。\n\n依据GB 8702-2014《电磁环境控制限值》评估。",
        datetime(2022, 5, 10, 11, 0, tzinfo=LHASA),
    ),
)


def load() -> int:
    office = get_user_model().objects.filter(role=Role.PLAN_ADMIN, is_active=True).first()
    office = office or get_user_model().objects.filter(is_superuser=True).first()
    n = 0
    for kind, title, summary, body, at in ITEMS:
        item = NewsItem.objects.filter(title=title).first()
        if item is None:
            item = NewsItem(kind=kind, title=title, summary=summary, body=body, is_demo=True)
            item.full_clean()
            item.save()
        if item.status != NewsStatus.PUBLISHED:
            if office is not None:
                services.news_publish(item=item, user=office, at=at)
            else:  # no plan office account yet: published as the demo loader
                item.status, item.published_at = NewsStatus.PUBLISHED, at
                item.full_clean()
                item.save()
        n += 1
    return n
