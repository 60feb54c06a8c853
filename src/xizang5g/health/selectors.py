"""Reads of the health app, always restricted to what the user may see."""
