"""Fixed numbers of the ecosystem, with where they come from."""

# GB 32100-2015 统一社会信用代码: 18 characters over 31 symbols (no I, O, Z, S, V); the 18th is
# a check character, 31 − (Σ value·weight mod 31), weight of position i (from 0) = 3^i mod 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# Position 1: the registering authority (登记管理部门码): 1 机构编制, 5 民政, 9 工商 (market
# regulation), and the others the standard lists, Y for the rest.
USCC_AUTHORITIES = "123456789ABCDEFGNY"

# Matchmaking (docs/ecosystem.md): the score out of 100 is a weighted sum of four parts, each in
# [0, 1]: the share of the asking side's industries, scenarios and prefectures the other side
# shares, and the TF-IDF cosine similarity of the two texts (jieba tokens of title + description).
WEIGHT_INDUSTRY = 25
WEIGHT_SCENARIO = 30
WEIGHT_PREFECTURE = 15
WEIGHT_TEXT = 30
# A side that names no prefecture serves (or asks in) the whole region: half the prefecture part.
PREFECTURE_ANYWHERE = 0.5
# Without a shared industry or scenario, the texts alone must be this similar (cosine): a few
# shared generic words (预警, 监测) between a mine's demand and a scenic spot's offer are no match.
MIN_TEXT_ALONE = 0.25
MIN_SCORE = 10.0  # suggestions below this are not shown
SUGGESTIONS = 10  # at most this many suggestions
KEYWORDS_SHOWN = 6  # shared keywords given as reasons

BUDGET_MAX_WAN = 10_000_000  # 万元: a sanity bound on budgets and prices
ATTENDEES_MAX = 10  # seats one organisation may take at an event
