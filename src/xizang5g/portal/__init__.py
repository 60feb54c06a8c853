"""Public portal: typical cases, EMF explainer, crowd status."""
