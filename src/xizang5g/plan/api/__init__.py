"""Plan supervision API (/api/v1/plan/): the plan, goals with attainment, tasks, work points,
catalogues, and pilot projects with their lifecycle, milestones, reports and KPIs.

Reads go through ``plan.selectors`` (a unit editor cannot see another unit's project: 404); writes go
through ``plan.services`` (which enforce who may change what: 403). Authentication (bearer token or
session) is configured once for the whole API in ``xizang5g.api``.

The operations live in one module per part (catalogue, projects, project_work); importing them
registers them on the router.
"""

from xizang5g.plan.api import catalogue, project_work, projects  # noqa: F401
from xizang5g.plan.api.common import router

__all__ = ["router"]
