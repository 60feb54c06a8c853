"""Background jobs of the IoT hub (django-tasks). The ingest worker (`iot_run`) already does most
of this on its own; these let the platform scheduler do it too, e.g. while no worker runs. The
scheduler takes them from `IotConfig.periodic_jobs`."""

from django_tasks import task

from xizang5g.iot import services, subscriptions


@task()
def iot_housekeeping() -> dict:
    """Devices silent for XZ5G_IOT_OFFLINE_SECONDS go offline; 'no data for N minutes' rules fire."""
    return {
        "offline": services.devices_mark_offline(),
        "no_data_alerts": services.no_data_rules_check(),
    }


@task()
def iot_rollups_refresh() -> dict:
    """1-minute rollups of the minutes that are over, and their hours."""
    return services.rollups_refresh()


@task()
def iot_storage_maintain() -> dict:
    """Monthly partitions ahead (PostgreSQL) and retention (XZ5G_IOT_RETENTION_DAYS)."""
    return {
        "partitions": services.readings_partitions_ensure(),
        "retention": services.readings_retention_apply(),
    }


@task()
def iot_subscriptions_retry() -> dict:
    """Deliveries that subscribers failed to take, tried again (and the subscribers alerted)."""
    return subscriptions.backlog_retry()
