#!/usr/bin/env bash
# Install what SiteWatch needs on Debian 12: QGIS 3.40 LTR from bookworm-backports, GDAL,
# fonts, Xvfb, poppler (PDF checks) and PostgreSQL 15 + PostGIS 3 (team-mode tests). Idempotent: quick when everything is there.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need=()
have_qgis_340() {
  /usr/bin/python3 - <<'PY' 2>/dev/null
from qgis.core import Qgis
import sys
sys.exit(0 if Qgis.QGIS_VERSION_INT >= 34000 else 1)
PY
}
have_qgis_340 || need+=(qgis python3-qgis qgis-providers)
# postgresql-15 + postgresql-15-postgis-3: the throw-away cluster of the PostGIS (team mode) tests;
# python3-psycopg2: the PostGIS store's driver (QGIS installs ship it).
for pkg in gdal-bin python3-gdal fonts-open-sans xvfb xauth poppler-utils python3-venv zip \
  postgresql-15 postgresql-15-postgis-3 python3-psycopg2; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "install-deps: everything is already installed"
  exit 0
fi

sources=/etc/apt/sources.list.d/bookworm-backports.sources
if [ ! -f "$sources" ] && ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # Same mirror and keyring as the machine's own Debian source.
  uri=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  key=$(awk '/^Signed-By:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  key=${key:-/usr/share/keyrings/debian-archive-keyring.gpg}
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' "$uri" "$key" \
    | $SUDO tee "$sources" >/dev/null
fi
echo "install-deps: installing ${need[*]}"
$SUDO apt-get update -qq
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq -t bookworm-backports --no-install-recommends \
  qgis python3-qgis qgis-providers qgis-plugin-grass- >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends \
  gdal-bin python3-gdal fonts-open-sans xvfb xauth poppler-utils python3-venv zip \
  postgresql-15 postgresql-15-postgis-3 python3-psycopg2 >/dev/null
have_qgis_340 || { echo "install-deps: QGIS 3.40 did not install" >&2; exit 1; }
echo "install-deps: done"
