"""Everything `make demo` needs in the database: divisions, the plan, demo units/users/projects,
and the demo sets of the other systems. Idempotent."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from xizang5g.core import registry
from xizang5g.core.choices import Role
from xizang5g.core.constants import DEMO_PASSWORD
from xizang5g.core.models import Unit, User
from xizang5g.core.services import divisions_load, user_create
from xizang5g.plan.demo import demo_load
from xizang5g.plan.loader import plan_load

PLAN_FILE = "src/xizang5g/plan/data/xizang-5g-2020.yaml"
# username, role, unit code, full name, what they show
DEMO_USERS = [
    ("admin", Role.PLAN_ADMIN, "econ-it", "平台管理员", "superuser and plan office"),
    ("planoffice", Role.PLAN_ADMIN, "econ-it", "规划办 张敏", "plan office (区经济和信息化厅)"),
    ("health", Role.UNIT_EDITOR, "health", "区卫生健康委 次仁", "unit editor, 区卫生健康委"),
    (
        "hospital",
        Role.UNIT_EDITOR,
        "tar-peoples-hospital",
        "区人民医院 卓玛",
        "unit editor, 区人民医院",
    ),
    ("cmcc", Role.UNIT_EDITOR, "cm-xz", "中国移动 王强", "unit editor, 中国移动西藏公司"),
    ("lhasa", Role.UNIT_EDITOR, "lhasa-gov", "拉萨市 扎西", "unit editor, 拉萨市人民政府"),
    ("leader", Role.VIEWER, "econ-it", "厅领导", "viewer (leadership)"),
    ("auditor", Role.VIEWER, None, "审计 李华", "viewer (auditor)"),
    ("regulator", Role.REGULATOR, "comms-admin", "无线电管理 格桑", "radio regulator"),
    ("secops", Role.SECURITY_OPERATOR, "cac", "安全值班 央金", "security operator"),
]


def demo_users() -> list[tuple]:
    """The accounts the installed apps add to the demo (``PlatformApp.demo_users``)."""
    return [(u.username, u.role, u.unit, u.full_name, u.what) for u in registry.demo_users()]


class Command(BaseCommand):
    help = "Load divisions, the plan, demo users and demo projects (and other systems' demo data)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-apps", action="store_true", help="only the plan supervision demo"
        )

    def handle(self, *args, skip_apps=False, **options):
        self.stdout.write(f"divisions: {divisions_load()}")
        plan = plan_load(path=PLAN_FILE)
        self.stdout.write(plan.summary())
        report = demo_load(plan=plan.plan)
        self.stdout.write(
            f"demo: {report.units} units, {report.projects} projects ({report.skipped} already present)"
        )
        self._users(DEMO_USERS)
        call_command("setup", stdout=self.stdout)
        if not skip_apps:
            for name, *args in registry.demo_commands():
                try:
                    call_command(name, *args, stdout=self.stdout)
                except Exception as exc:  # keep the demo usable if one system's demo fails
                    self.stderr.write(self.style.WARNING(f"{name} failed: {exc}"))
            self._users(demo_users())
        self._print_logins(skip_apps)

    def _users(self, users) -> None:
        for username, role, unit_code, full_name, _what in users:
            if User.objects.filter(username=username).exists():
                continue
            unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
            if unit_code and unit is None:
                unit = Unit.objects.filter(code="econ-it").first()
            user = user_create(
                username=username, password=DEMO_PASSWORD, role=role, unit=unit, full_name=full_name
            )
            if username == "admin":
                user.is_staff = user.is_superuser = True
                user.save()

    def _print_logins(self, skip_apps: bool) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        for username, _role, _unit, _name, what in DEMO_USERS + ([] if skip_apps else demo_users()):
            self.stdout.write(f"  {username:<11} {what}")
