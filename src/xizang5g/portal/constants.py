"""Fixed numbers of the portal."""

# Measurement requests an anonymous visitor may send from one address per hour (the cache counts).
REQUESTS_PER_HOUR = 5

# News attachments: what the plan office may attach, and how large (as plan's evidence files).
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
# The first bytes each type starts with: the upload's declared content type is not trusted.
ATTACHMENT_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}

NEWS_PAGE_SIZE = 10
CASES_PAGE_SIZE = 12
REQUEST_SEQUENCE = "portal.emf_request"

# GB 8702-2014 Table 1 covers 0.1 MHz-300 GHz (public exposure).
F_MIN_MHZ = 0.1
F_MAX_MHZ = 300_000.0
