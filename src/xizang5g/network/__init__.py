"""5G supervision (5G监管): stations, interference coordination, EMF, coverage."""
