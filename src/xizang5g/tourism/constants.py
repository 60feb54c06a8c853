"""Fixed numbers of the tourism app, with the standard they come from."""

# LB/T 034-2014 景区最大承载量核定导则: default warning levels as a share of C1 (percent). At 80 %
# a spot must publish notices, stop ticket sales and divert visitors; 100 % is saturation.
DEFAULT_BUSY_PCT = 50
DEFAULT_WARNING_PCT = 80
DEFAULT_SATURATED_PCT = 100
# A level is left only when occupancy falls this many points below its threshold (hysteresis),
# so a crowd hovering at the threshold does not raise and resolve alerts over and over.
DEFAULT_HYSTERESIS_PCT = 5

CROWD_SOURCE = "crowd"
GATE_CAPABILITY = "gate_counter"

# Day boundaries of cumulative counts ("since the day's opening"): local time of Xizang.
LOCAL_TZ = "Asia/Shanghai"

# Recommended reservation quota: the forecast upper bound, capped at this share of C2.
QUOTA_SHARE_OF_C2 = 0.8
