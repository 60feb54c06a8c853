"""Core: units, users and roles, change log, alert centre, admin divisions."""
