"""The education app's routes for the authorization matrix (tests/authz/extensions.py)."""

from tests.authz.routes import Route
from xizang5g.edu.models import School

PAGES = {
    "edu:index": Route(lists="edu_school"),
    "edu:school": Route(kind="edu_school"),
    "edu:school_export": Route(kind="edu_school"),
    # The LRS authenticates with its own Basic key/secret per school, never the session:
    # public for the matrix; its own rules are tested in tests/edu/test_lrs.py.
    "xapi:statements": Route(public=True),
    "xapi:state": Route(public=True),
    "xapi:activity_profile": Route(public=True),
    "xapi:activities": Route(public=True),
    "xapi:agent_profile": Route(public=True),
    "xapi:agents": Route(public=True),
    "xapi:about": Route(public=True),
    "xapi:root": Route(public=True),
}


def populate(world, units) -> None:
    ours = School.objects.create(
        code="authz-health-school", name="卫健委附属学校", unit=units["health"], altitude_m=3650
    )
    theirs = School.objects.create(
        code="authz-radio-school", name="广电附属学校", unit=units["radio-tv"], altitude_m=4200
    )
    world.add("edu_school", ours, theirs)
