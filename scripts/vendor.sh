#!/usr/bin/env bash
# Install the front-end assets from the npm registry and copy them into the package.
set -euo pipefail
dest="src/producthq/web/static/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --no-audit --no-fund \
  @picocss/pico@2.1.1 htmx.org@2.0.4 vega@5.33.0 vega-lite@5.23.0 vega-embed@6.29.0 >/dev/null)
mkdir -p "$dest"
cp "$tmp/node_modules/@picocss/pico/css/pico.min.css" "$dest/pico.min.css"
cp "$tmp/node_modules/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$tmp/node_modules/vega/build/vega.min.js" "$dest/vega.min.js"
cp "$tmp/node_modules/vega-lite/build/vega-lite.min.js" "$dest/vega-lite.min.js"
cp "$tmp/node_modules/vega-embed/build/vega-embed.min.js" "$dest/vega-embed.min.js"
for p in @picocss/pico htmx.org vega vega-lite vega-embed; do
  echo "$p $(node -p "require('$tmp/node_modules/$p/package.json').version") $(node -p "require('$tmp/node_modules/$p/package.json').license")"
done > "$dest/VERSIONS.txt"
echo "vendored into $dest"
