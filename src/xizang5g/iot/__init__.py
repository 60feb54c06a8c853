"""5G IoT data hub: products and thing models, devices, ingest, telemetry, rules."""
