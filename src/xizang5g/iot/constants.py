"""Fixed numbers of the IoT hub; the ones that operators tune come from settings (XZ5G_IOT_*)."""

# Reply codes on `…_reply` topics and in HTTP ingest answers (Alibaba IoT conventions: 200 success,
# 460 request parameter error; 6xxx device/thing-model errors).
CODE_OK = 200
CODE_BAD_REQUEST = 400
CODE_UNAUTHORIZED = 401
CODE_DISABLED = 403
CODE_INVALID_PARAMS = 460
CODE_SERVER_ERROR = 500

# Topics (Alibaba IoT style). The leading slash is part of the topic.
TOPIC_PREFIX = "/sys"
PROPERTY_POST_METHOD = "thing.event.property.post"
# Filters the ingest worker subscribes to.
TOPIC_FILTER_POSTS = "/sys/+/+/thing/event/+/post"
TOPIC_FILTER_STATUS = "/sys/+/+/thing/status"
SHARED_GROUP = "xz5g-ingest"

# How much of a rejected payload is kept for the device page.
REJECTED_PAYLOAD_CHARS = 2000
# Thing model limits (Alibaba TSL: identifiers of 1-50 characters: letters, digits, underscore).
IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,49}$"
MAX_TEXT_LENGTH = 10240
MAX_ARRAY_SIZE = 512

# The MQTT username convention: "{device_name}&{product_key}".
USERNAME_SEPARATOR = "&"
# The ingest worker's own broker account (password derived from SECRET_KEY).
WORKER_USERNAME = "xz5g-ingest"
