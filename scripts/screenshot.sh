#!/usr/bin/env bash
# Screenshot of real QGIS with the SiteWatch panels on the sample site in swipe mode:
#   scripts/screenshot.sh [OUT.png]   (default docs/screenshot.png)
# Generates the sample site once into .build/screenshot, then runs
# /work/shared/tools/qgis-screenshot (real QGIS under Xvfb, plugin enabled from this checkout)
# with scripts/screenshot_snippet.py, and shrinks the PNG below 400 KB.
set -eu
root=$(git rev-parse --show-toplevel)
cd "$root"
out=${1:-docs/screenshot.png}
tool=${QGIS_SCREENSHOT:-/work/shared/tools/qgis-screenshot}
sample=$root/.build/screenshot
mkdir -p "$sample" "$(dirname "$out")" .build/pkgroot
ln -sfn "$root" .build/pkgroot/sitewatch
if ! ls "$sample"/sample_before_*.tif >/dev/null 2>&1; then
  PYTHONPATH=$root/.build/pkgroot QT_QPA_PLATFORM=offscreen \
    /usr/bin/python3 -m sitewatch.sample.generate_site "$sample" --size 2000
fi
cp "$sample/sample_site.gpkg" "$sample/screenshot_site.gpkg"
raw=$sample/raw.png
SITEWATCH_SAMPLE_DIR=$sample PYTHONPATH=$root/.build/pkgroot "$tool" "$raw" --code "$root/scripts/screenshot_snippet.py" --wait 6000
# Under 400 KB: pngquant when installed, else Pillow with fewer colours / pixels until it fits
if command -v pngquant >/dev/null; then
  pngquant --force --quality 60-90 --output "$out" 256 "$raw"
else
  /usr/bin/python3 - "$raw" "$out" <<'PY'
import io, sys
from PIL import Image
raw = Image.open(sys.argv[1]).convert("RGB")
for width, colours in ((1440, 256), (1280, 256), (1280, 128), (1280, 96), (1280, 64), (1120, 64)):
    image = raw.resize((width, round(raw.height * width / raw.width)), Image.Resampling.LANCZOS)
    data = io.BytesIO()
    image.quantize(colours, method=Image.Quantize.MEDIANCUT).save(data, "PNG", optimize=True)
    if data.tell() < 400_000:
        break
open(sys.argv[2], "wb").write(data.getvalue())
PY
fi
echo "wrote $out ($(du -k "$out" | cut -f1) KB); docks and toolbars: ${raw%.png}.json"
