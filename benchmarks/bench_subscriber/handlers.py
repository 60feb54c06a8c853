from collections import Counter

received = Counter()


def tally(deliveries) -> None:
    """Count deliveries and readings per device: the least a real subscriber does."""
    for delivery in deliveries:
        received[delivery.device_id] += len(delivery.values)
