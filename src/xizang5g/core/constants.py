"""Fixed values of the platform core."""

# The password of every demo account (demo data only; `make demo` prints it).
DEMO_PASSWORD = "Xizang5G-demo!"
