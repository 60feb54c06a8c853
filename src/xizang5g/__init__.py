"""Xizang 5G Application Platform (西藏5G应用平台)."""

__version__ = "0.1.0"
