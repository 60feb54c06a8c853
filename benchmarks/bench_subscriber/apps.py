from xizang5g.core import registry
from xizang5g.iot.hooks import Subscription


class BenchSubscriberConfig(registry.PlatformApp):
    name = "bench_subscriber"
    label = "bench_subscriber"
    iot_subscriptions = (
        Subscription(
            "bench.tally", "bench_subscriber.handlers.tally", product_keys=("benchProduct",)
        ),
    )
