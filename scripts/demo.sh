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

# Built once; built again when the generator changed since (e.g. after a git pull).
if [ ! -f "$data/sample_site.gpkg" ] || [ -n "$(find sample -maxdepth 1 -name '*.py' -newer "$data/sample_site.gpkg")" ]; then
  echo "== building the sample site in $data"
  rm -rf "$data"
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
  desk=$out/desktop
  work=$desk/sample_site_working.gpkg
  mkdir -p "$desk"
  if [ -f "$work" ] && [ "$data/sample_site.gpkg" -nt "$work" ]; then
    echo "!! the sample site was rebuilt after your working copy $work was made;"
    echo "   delete it to start again from the new sample site (your edits in it are kept otherwise)"
  fi
  if [ ! -f "$work" ]; then  # kept between runs: your edits stay
    # The after pass is yours to review: keep the sample's states at the before date only
    # (its truth at the after date stays in $data/sample_site.gpkg). Made aside, then moved.
    cp "$data/sample_site.gpkg" "$work.part"
    $py -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute("DELETE FROM observations WHERE observed_on = ?", (sys.argv[2],)); db.commit()' "$work.part" "$after_date"
    mv "$work.part" "$work"
  fi
  QT_QPA_PLATFORM=offscreen $py scripts/make_demo_project.py "$work" "$data" "$desk/sample_site.qgz"
  echo "== opening QGIS with the sample project (your edits go to $work)"
  exec qgis --profiles-path "$profile" --project "$desk/sample_site.qgz"
fi

echo "== no display: running the SiteWatch pipeline with qgis_process"
export QT_QPA_PLATFORM=offscreen
pipe=$out/pipeline
rm -rf "$pipe" && mkdir -p "$pipe"
log=$pipe/qgis_process.log
# Each step's output goes to the log; a failing step prints it and stops the demo.
qp() {
  echo "+ qgis_process run $1" >&2
  if ! qgis_process run "$@" 2>>"$log" | tee -a "$log"; then
    echo "!! qgis_process run $1 failed; its messages:" >&2; tail -20 "$log" >&2; exit 1
  fi
}
qgis_process plugins enable sitewatch >/dev/null 2>&1 || true  # the profile may already enable it

qp sitewatch:createassessment -- OUTPUT="$pipe/new_site.gpkg" CRS=EPSG:32637 SITE_NAME="New site" >/dev/null
cp "$data/sample_site.gpkg" "$pipe/sample_site.gpkg"
site="$pipe/sample_site.gpkg"
$py scripts/make_demo_project.py "$site" "$data" "$pipe/sample_site.qgz"  # also relinks the images

qp sitewatch:changescore --json -- BEFORE="$before" AFTER="$after" STRUCTURES="$site|layername=structures" \
  OUTPUT="$pipe/change_scores.gpkg" > "$pipe/change_scores.json"
qp sitewatch:compounddamage --json -- STRUCTURES="$site|layername=structures" \
  OBSERVATIONS="$site|layername=observations" COMPOUNDS="$site|layername=compounds" \
  AFTER_DATE="$after_date" BEFORE_DATE="$before_date" BY_TYPE=true OUTPUT="$pipe/compound_damage.gpkg" \
  > "$pipe/compound_damage.json"
qp sitewatch:exportreport --json -- ASSESSMENT="$site" AFTER_DATE="$after_date" BEFORE_DATE="$before_date" \
  SCHEME=unosat REPORT=true OUTPUT_FOLDER="$pipe/report" > "$pipe/export.json"

$py - "$pipe" <<'PY'
import json, sys
from pathlib import Path
pipe = Path(sys.argv[1])
results = {name: json.loads((pipe / f"{name}.json").read_text())["results"]
           for name in ("change_scores", "compound_damage", "export")}
print()
print("Damage:", results["compound_damage"]["SUMMARY"])
from osgeo import ogr
scores_file = ogr.Open(str(pipe / "change_scores.gpkg"))  # keep the dataset alive while reading
scored = scores_file.GetLayer(0)
scored.SetAttributeFilter("chg_rank <= 5")
top = sorted((f["chg_rank"], f["structure_id"], f["type"], f["chg_score"], f["suggested"]) for f in scored)
print("Most changed (review these first):",
      "; ".join(f"{sid} {kind} score {score:.2f} → {suggested}" for _, sid, kind, score, suggested in top))
print("PDF report:", results["export"]["REPORT_PDF"])
print(f"All outputs are in {pipe}:")
for path in sorted(pipe.iterdir()):
    print("  " + path.name + ("/" if path.is_dir() else ""))
PY
