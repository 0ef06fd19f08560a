#!/usr/bin/env bash
# Real QGIS on a virtual screen of a chosen size with this checkout's plugin, driven by a
# snippet (the desk checks of issue 18: panels, keys, the export task, the Damage panel delay):
#   scripts/desk/run.sh WIDTHxHEIGHT SNIPPET.py OUT_PREFIX
# Like /work/shared/tools/qgis-screenshot, but the screen is WIDTHxHEIGHT, the main window
# fills it, and the snippet runs its own event loop: it saves its screenshots and
# figures under OUT_PREFIX (OUT_PREFIX*.png, OUT_PREFIX.json) and QGIS quits when it returns.
# The sample site (2000 px images, 149 structures) is generated once into .build/screenshot.
set -eu
size=${1:?usage: run.sh WIDTHxHEIGHT SNIPPET.py OUT_PREFIX}; snippet=$(realpath "${2:?}"); out=${3:?}
mkdir -p "$(dirname "$out")"; out=$(realpath "$out")
root=$(git rev-parse --show-toplevel)
sample=$root/.build/screenshot
mkdir -p "$sample" "$root/.build/pkgroot"
ln -sfn "$root" "$root/.build/pkgroot/sitewatch"
if ! ls "$sample"/sample_before_*.tif >/dev/null 2>&1; then
  PYTHONPATH=$root/.build/pkgroot QT_QPA_PLATFORM=offscreen \
    /usr/bin/python3 -m sitewatch.sample.generate_site "$sample" --size 2000
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugins" "$work/profiles/default/QGIS"
ln -s "$root" "$work/plugins/sitewatch"
printf '[PythonPlugins]\nsitewatch=true\n\n[SiteWatch]\nanalyst=Desk Check\n' > "$work/profiles/default/QGIS/QGIS3.ini"
cp "$sample/sample_site.gpkg" "$work/site.gpkg"
cat > "$work/probe.py" <<PY
import os, traceback
from qgis.core import QgsProject
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication
from qgis.utils import iface
def start():
    window = iface.mainWindow()
    # Xvfb has no window manager to maximise it: fill the screen (in Qt's logical pixels,
    # which QGIS's 96-dpi scaling makes fewer than the screen's)
    window.setGeometry(QApplication.primaryScreen().availableGeometry())
    window.activateWindow()  # nor to make it the active window: keys go to its focus widget
    QApplication.setActiveWindow(window)
    QApplication.processEvents()
    try:
        exec(compile(open("$snippet").read(), "$snippet", "exec"), {"iface": iface, "__name__": "desk", "__file__": "$snippet"})
    except Exception:  # noqa: BLE001 - report whatever the snippet raised, then quit
        open("$out.error.txt", "w").write(traceback.format_exc())
    # QGIS 3.40 aborts in its destructor when quit() leaves layers in the project (a layer tree
    # signal reaches the deleted layer tree view): clear the project first, as File > Exit does.
    QgsProject.instance().clear()
    QApplication.processEvents()
    QTimer.singleShot(300, QApplication.instance().quit)
QTimer.singleShot(6000, start)
PY
DESK_OUT=$out DESK_SITE=$work/site.gpkg DESK_SAMPLE=$sample DESK_SIZE=$size PYTHONPATH=$root/.build/pkgroot \
QGIS_PLUGINPATH="$work/plugins" QT_QPA_PLATFORM=xcb timeout 600 \
  xvfb-run -a -s "-screen 0 ${size}x24" qgis --nologo --noversioncheck --profiles-path "$work" \
  --code "$work/probe.py" > "$work/qgis.log" 2>&1 || echo "QGIS exit status $?"
cp "$work/qgis.log" "$out.qgis.log"
[ -f "$out.error.txt" ] && { echo "the snippet failed:"; cat "$out.error.txt"; exit 1; }
ls "$out"* 2>/dev/null
