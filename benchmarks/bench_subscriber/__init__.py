"""A trivial IoT subscriber for `ingest_bench.py --subscriber`: an app registered exactly like a
real vertical, whose handler only tallies what it receives (the cost measured is the hub's)."""
