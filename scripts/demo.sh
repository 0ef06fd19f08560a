#!/usr/bin/env bash
# make demo: the main job on the bundled sample site.
#  - builds the sample site (deterministic, once) into sample/data/
#  - with a display: opens QGIS with the plugin enabled and the sample project
#  - without one: runs the SiteWatch pipeline through qgis_process into demo-output/
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
data=$root/sample/data
out=$root/demo-output
py=/usr/bin/python3
mkdir -p .build/pkgroot && ln -sfn "$root" .build/pkgroot/sitewatch
export PYTHONPATH=$root/.build/pkgroot${PYTHONPATH:+:$PYTHONPATH}

if [ ! -f "$data/sample_site.gpkg" ]; then
  echo "== building the sample site in $data"
  QT_QPA_PLATFORM=offscreen $py -m sitewatch.sample.generate_site "$data"
fi
before=$(ls "$data"/sample_before_*.tif)
after=$(ls "$data"/sample_after_*.tif)
before_date=$(basename "$before" .tif | sed 's/.*_//')
after_date=$(basename "$after" .tif | sed 's/.*_//')

# A throw-away QGIS profile with the plugin from this checkout enabled.
profile=$root/.build/qgis-profile
mkdir -p "$profile/profiles/default/QGIS"
ini=$profile/profiles/default/QGIS/QGIS3.ini
grep -qs "sitewatch=true" "$ini" || printf '[PythonPlugins]\nsitewatch=true\n' >> "$ini"
export QGIS_PLUGINPATH=$root/.build/pkgroot QGIS_CUSTOM_CONFIG_PATH=$profile

if [ -n "${DISPLAY:-}" ] && [ -z "${CI:-}" ] && [ -z "${SITEWATCH_HEADLESS:-}" ]; then
  work=$out/sample_site_working.gpkg
  mkdir -p "$out"
  [ -f "$work" ] || cp "$data/sample_site.gpkg" "$work"
  QT_QPA_PLATFORM=offscreen $py scripts/make_demo_project.py "$work" "$data" "$out/sample_site.qgz"
  echo "== opening QGIS with the sample project (your edits go to $work)"
  exec qgis --profiles-path "$profile" --project "$out/sample_site.qgz"
fi

echo "== no display: running the SiteWatch pipeline with qgis_process"
export QT_QPA_PLATFORM=offscreen
rm -rf "$out" && mkdir -p "$out"
qp() { echo "+ qgis_process run $1" >&2; qgis_process run "$@" 2>/dev/null; }
qgis_process plugins enable sitewatch >/dev/null 2>&1 || true  # the profile may already enable it

qp sitewatch:createassessment -- OUTPUT="$out/new_site.gpkg" CRS=EPSG:32637 SITE_NAME="New site" >/dev/null
cp "$data/sample_site.gpkg" "$out/sample_site.gpkg"
site="$out/sample_site.gpkg"
$py scripts/make_demo_project.py "$site" "$data" "$out/sample_site.qgz"  # also relinks the images

qp sitewatch:changescore -- BEFORE="$before" AFTER="$after" STRUCTURES="$site|layername=structures" \
  OUTPUT="$out/change_scores.gpkg" | grep -E "^THRESHOLDS" || true

qp sitewatch:compounddamage --json -- STRUCTURES="$site|layername=structures" \
  OBSERVATIONS="$site|layername=observations" COMPOUNDS="$site|layername=compounds" \
  AFTER_DATE="$after_date" BEFORE_DATE="$before_date" BY_TYPE=true OUTPUT="$out/compound_damage.gpkg" \
  > "$out/compound_damage.json"
$py -c "import json,sys; print('  ' + json.load(open(sys.argv[1]))['results']['SUMMARY'])" "$out/compound_damage.json"

qp sitewatch:exportreport -- ASSESSMENT="$site" AFTER_DATE="$after_date" BEFORE_DATE="$before_date" \
  SCHEME=unosat REPORT=true OUTPUT_FOLDER="$out/report" >/dev/null
echo
echo "Demo outputs are in $out:"
(cd "$out" && find . -maxdepth 1 -mindepth 1 | sort | sed "s|^./|  |")
echo "The PDF map product: $(ls "$out"/report/*_report.pdf)"
