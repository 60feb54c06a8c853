from django.db import models
from django.utils.translation import gettext_lazy as _


class NewsKind(models.TextChoices):
    POLICY = "policy", _("Policy document")  # 政策文件
    NOTICE = "notice", _("Notice")  # 通知
    NEWS = "news", _("News")  # 新闻


class NewsStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
