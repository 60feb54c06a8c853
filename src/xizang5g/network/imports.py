"""The network imports as background importers (core.imports): each runs the service and turns
its outcome into the success message or ImportRejected with the row errors."""

from django.utils.translation import gettext as _

from xizang5g.core.imports import ImportRejected
from xizang5g.network import services


def _run(service, **kwargs) -> services.ImportResult:
    try:
        return service(**kwargs)
    except services.ImportFailed as exc:
        raise ImportRejected(
            _("Nothing was imported: %(n)s problems in the file.") % {"n": len(exc.row_errors)},
            [{"row": e.row, "column": e.column, "message": e.message} for e in exc.row_errors],
        ) from exc


def stations_message(result: services.ImportResult) -> str:
    return _("Imported %(r)s rows: %(c)s cells created, %(u)s updated.") % {
        "r": result.rows,
        "c": result.created,
        "u": result.updated,
    }


def emf_message(result: services.ImportResult) -> str:
    return _("Imported %(n)s measurement records.") % {"n": result.created}


def villages_message(result: services.ImportResult) -> str:
    return _("Imported %(n)s villages (%(c)s new).") % {"n": result.rows, "c": result.created}


def monthly_message(result: services.ImportResult) -> str:
    return _("Imported %(n)s monthly figures (%(c)s new, %(u)s updated).") % {
        "n": result.rows,
        "c": result.created,
        "u": result.updated,
    }


def stations(**kwargs) -> str:
    return stations_message(_run(services.stations_import, **kwargs))


def emf_measurements(**kwargs) -> str:
    return emf_message(_run(services.emf_measurements_import, **kwargs))


def villages(**kwargs) -> str:
    return villages_message(_run(services.villages_import, **kwargs))


def monthly_reports(**kwargs) -> str:
    return monthly_message(_run(services.monthly_reports_import, **kwargs))
