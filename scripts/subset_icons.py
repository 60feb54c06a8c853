"""Vendor only the Bootstrap Icons the platform uses: a CSS rule and a font glyph for each icon
named in the templates, scripts and app declarations (`make assets`).

The full set is 87 KB of CSS and a 131 KB font on every first visit; the pages use under a hundred
icons. Names are found as `bi-<name>` in templates and scripts and as `"icon": "<name>"` /
`icon="<name>"` in Python (navigation entries, dashboard tiles). `tests/core/test_assets.py` fails
when the code names an icon the subset lacks (run `make assets`).

    python scripts/subset_icons.py NODE_MODULES_DIR OUTPUT_DIR
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "src" / "xizang5g", ROOT / "tests" / "testapp")
IN_MARKUP = re.compile(r"\bbi-([a-z0-9]+(?:-[a-z0-9]+)*)")
IN_PYTHON = re.compile(r"""(?:["']icon["']\s*:\s*|\bicon\s*=\s*)["']([a-z0-9-]+)["']""")
RULE = re.compile(r'\.bi-([a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}')
HEAD = re.compile(r"^(.*?\}\.bi::before.*?\})", re.S)


def used_icons() -> set[str]:
    names: set[str] = set()
    for base in SOURCES:
        for path in base.rglob("*"):
            if "vendor" in path.parts or path.suffix not in {".html", ".js", ".py"}:
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            names.update(IN_PYTHON.findall(text) if path.suffix == ".py" else ())
            names.update(IN_MARKUP.findall(text))
    return names


def main(node_modules: str, output: str) -> int:
    font_dir = Path(node_modules) / "bootstrap-icons" / "font"
    css = (font_dir / "bootstrap-icons.min.css").read_text(encoding="utf-8")
    codes = dict(RULE.findall(css))
    wanted = used_icons()
    # `bi-` also prefixes words that are not icons (none today); keep only real icon names.
    icons = sorted(name for name in wanted if name in codes)
    out = Path(output)
    (out / "fonts").mkdir(parents=True, exist_ok=True)

    # Keep the font's own timestamp, so that `make assets` gives the same bytes every time.
    font = TTFont(font_dir / "fonts" / "bootstrap-icons.woff2", recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[int(codes[name], 16) for name in icons])
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(out / "fonts" / "bootstrap-icons.woff2")

    head = HEAD.match(css).group(1)
    head = re.sub(r',url\("fonts/bootstrap-icons\.woff\?[0-9a-f]+"\) format\("woff"\)', "", head)
    head = re.sub(r"\?[0-9a-f]{32}", "", head)  # the manifest storage names the file by content
    rules = "".join(f'.bi-{name}::before{{content:"\\{codes[name]}"}}' for name in icons)
    (out / "bootstrap-icons.min.css").write_text(head + rules + "\n", encoding="utf-8")
    print(f"bootstrap-icons: {len(icons)} of {len(codes)} icons vendored")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
