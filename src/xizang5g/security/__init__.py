"""Security situational awareness and warning (安全态势感知预警)."""
