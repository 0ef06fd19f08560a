#!/usr/bin/env bash
# Install the packaged plugin into the user's QGIS profile (as the Plugin Manager would) and
# enable it. Usage: scripts/install-plugin.sh dist/sitewatch.zip [PROFILE_DIR]
set -euo pipefail
zip=${1:?usage: install-plugin.sh dist/sitewatch.zip [profile dir]}
profile=${2:-${QGIS_CUSTOM_CONFIG_PATH:-$HOME/.local/share/QGIS/QGIS3}/profiles/default}
plugins="$profile/python/plugins"
mkdir -p "$plugins"
staging=$(mktemp -d "$plugins/.sitewatch.XXXX")
trap 'rm -rf "$staging"' EXIT
/usr/bin/python3 -m zipfile -e "$zip" "$staging"
rm -rf "$plugins/sitewatch"
mv "$staging/sitewatch" "$plugins/sitewatch"
# Enable it for the desktop app and for qgis_process (same profile settings).
ini="$profile/QGIS/QGIS3.ini"
mkdir -p "$(dirname "$ini")"
/usr/bin/python3 - "$ini" <<'PY'
import configparser, sys
path = sys.argv[1]
config = configparser.RawConfigParser(strict=False)
config.optionxform = str
config.read(path)
if not config.has_section("PythonPlugins"):
    config.add_section("PythonPlugins")
config.set("PythonPlugins", "sitewatch", "true")
with open(path, "w") as handle:
    config.write(handle, space_around_delimiters=False)
PY
echo "SiteWatch installed in $plugins/sitewatch and enabled; restart QGIS to load it."
