#!/usr/bin/env bash
# Copy the npm packages pinned in assets/package.json (installed by `make assets` with `npm ci`)
# into src/xizang5g/static/vendor.
#
# Only files the pages use are vendored, so references to files we leave out are removed:
# the source-map comments (the maps are not shipped) and bootstrap-icons' WOFF fallback (every
# supported browser takes the WOFF2 font). Django's manifest storage would otherwise refuse to
# collect the static files (it checks every url() and sourceMappingURL it finds).
set -euo pipefail
cd "$(dirname "$0")/.."
src=assets/node_modules
dst=src/xizang5g/static/vendor
mkdir -p "$dst"/{bootstrap,bootstrap-icons/fonts,echarts,htmx,noto-serif-tibetan}

strip_source_map() { sed -E -i '/^\/[*\/]# sourceMappingURL=[^ ]*( \*\/)?$/d' "$1"; }

cp "$src/bootstrap/dist/css/bootstrap.min.css" "$dst/bootstrap/"
cp "$src/bootstrap/dist/js/bootstrap.bundle.min.js" "$dst/bootstrap/"
# Only the icons the code names (CSS rules and font glyphs), and only the ECharts modules the
# pages use (assets/echarts.entry.js): a first visit loads a tenth of the full sets.
"${PYTHON:-.venv/bin/python}" scripts/subset_icons.py "$src" "$dst/bootstrap-icons"
(cd assets && npx esbuild echarts.entry.js --bundle --minify --format=iife --legal-comments=none \
  --target=es2018 --log-level=warning --outfile="../$dst/echarts/echarts.min.js")
cp "$src/htmx.org/dist/htmx.min.js" "$dst/htmx/"
# Tibetan webfont: only the Tibetan-script subset at weight 400 (bold is synthesised); the
# @font-face with its unicode-range is in css/app.css, so only pages with Tibetan text fetch it.
cp "$src/@fontsource/noto-serif-tibetan/files/noto-serif-tibetan-tibetan-400-normal.woff2" \
  "$src/@fontsource/noto-serif-tibetan/LICENSE" "$dst/noto-serif-tibetan/"
# ...and the glyphs of Tibetan's own name alone (2.5 KB), for the language switch on pages in
# another language, which would otherwise fetch the whole font for one word.
"$(dirname "${PYTHON:-.venv/bin/python}")/pyftsubset" \
  "$dst/noto-serif-tibetan/noto-serif-tibetan-tibetan-400-normal.woff2" --text="བོད་ཡིག" \
  --layout-features='*' --flavor=woff2 \
  --output-file="$dst/noto-serif-tibetan/noto-serif-tibetan-langname.woff2"

for file in "$dst"/bootstrap/* "$dst"/htmx/*; do
  strip_source_map "$file"
done

if grep -l -E 'sourceMappingURL=|bootstrap-icons\.woff[?"]' -r "$dst"; then
  echo "vendored files still reference files that are not vendored (above)" >&2
  exit 1
fi

for pkg in bootstrap bootstrap-icons echarts htmx.org @fontsource/noto-serif-tibetan esbuild; do
  printf '%s %s\n' "$pkg" "$(node -p "require('./$src/$pkg/package.json').version")"
done > "$dst/VERSIONS.txt"
cat "$dst/VERSIONS.txt"
