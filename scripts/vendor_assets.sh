#!/usr/bin/env bash
# Copy the pinned npm assets (build/assets/node_modules) into src/xizang5g/static/vendor.
set -euo pipefail
src=build/assets/node_modules
dst=src/xizang5g/static/vendor
mkdir -p "$dst"/{bootstrap,bootstrap-icons/fonts,echarts,htmx}
cp "$src/bootstrap/dist/css/bootstrap.min.css" "$dst/bootstrap/"
cp "$src/bootstrap/dist/js/bootstrap.bundle.min.js" "$dst/bootstrap/"
cp "$src/bootstrap-icons/font/bootstrap-icons.min.css" "$dst/bootstrap-icons/"
cp "$src/bootstrap-icons/font/fonts/bootstrap-icons.woff2" "$dst/bootstrap-icons/fonts/"
cp "$src/echarts/dist/echarts.min.js" "$dst/echarts/"
cp "$src/htmx.org/dist/htmx.min.js" "$dst/htmx/"
for pkg in bootstrap bootstrap-icons echarts htmx.org; do
  printf '%s %s\n' "$pkg" "$(node -p "require('./$src/$pkg/package.json').version")"
done > "$dst/VERSIONS.txt"
cat "$dst/VERSIONS.txt"
