"""Background jobs of core (django-tasks, database backend; run by `xizang5g db_worker`)."""

from django_tasks import task

from xizang5g.core import imports


@task()
def import_run(job_id: int) -> dict:
    """Import a stored upload (core.imports); progress and outcome are kept on the job row."""
    job = imports.import_job_execute(job_id=job_id)
    return {"job_id": job.pk, "status": job.status}
