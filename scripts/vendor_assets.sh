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
cp "$src/bootstrap-icons/font/bootstrap-icons.min.css" "$dst/bootstrap-icons/"
cp "$src/bootstrap-icons/font/fonts/bootstrap-icons.woff2" "$dst/bootstrap-icons/fonts/"
cp "$src/echarts/dist/echarts.min.js" "$dst/echarts/"
cp "$src/htmx.org/dist/htmx.min.js" "$dst/htmx/"
# Tibetan webfont: only the Tibetan-script subset at weight 400 (bold is synthesised); the
# @font-face with its unicode-range is in css/app.css, so only pages with Tibetan text fetch it.
cp "$src/@fontsource/noto-serif-tibetan/files/noto-serif-tibetan-tibetan-400-normal.woff2" \
  "$src/@fontsource/noto-serif-tibetan/LICENSE" "$dst/noto-serif-tibetan/"

for file in "$dst"/bootstrap/* "$dst"/echarts/* "$dst"/htmx/* "$dst"/bootstrap-icons/*.css; do
  strip_source_map "$file"
done
sed -E -i 's/,url\("fonts\/bootstrap-icons\.woff\?[0-9a-f]+"\) format\("woff"\)//' \
  "$dst/bootstrap-icons/bootstrap-icons.min.css"

if grep -l -E 'sourceMappingURL=|bootstrap-icons\.woff[?"]' -r "$dst"; then
  echo "vendored files still reference files that are not vendored (above)" >&2
  exit 1
fi

for pkg in bootstrap bootstrap-icons echarts htmx.org @fontsource/noto-serif-tibetan; do
  printf '%s %s\n' "$pkg" "$(node -p "require('./$src/$pkg/package.json').version")"
done > "$dst/VERSIONS.txt"
cat "$dst/VERSIONS.txt"
