"""Education (5G+智慧教育): a conformant xAPI learning record store and education big data."""

from django.utils.translation import gettext_lazy as _

from xizang5g.core import registry


class EduConfig(registry.PlatformApp):
    name = "xizang5g.edu"
    label = "edu"
    layer = "vertical"
    verbose_name = _("Education")
    nav = ({"label": _("Education"), "url": "edu:index", "icon": "mortarboard", "order": 62},)
    urls = "xizang5g.edu.urls"
    extra_urls = (("xapi", "xizang5g.edu.xapi.urls"),)
