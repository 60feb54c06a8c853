"""Background jobs of the 5G supervision app (django-tasks, database backend)."""

from django_tasks import task

from xizang5g.network import services


@task()
def run_interference_study(study_id: int) -> dict:
    """Run an interference study; progress and results are stored on the study row."""
    study = services.study_execute(study_id=study_id)
    return {"study_id": study.pk, "status": study.status}


@task()
def compute_coverage(threshold_dbm: float) -> dict:
    """Predict village coverage from every in-service cell."""
    return services.coverage_compute(threshold_dbm=threshold_dbm)
