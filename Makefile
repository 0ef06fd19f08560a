# SiteWatch — every setup step a newcomer needs is one of these targets.
# QGIS comes from Debian (apt-get, sudo when not root); Python test tools go into .venv.

SHELL := /bin/bash
PYTHON := /usr/bin/python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
PKGROOT := .build/pkgroot
export PYTHONPATH := $(CURDIR)/$(PKGROOT)$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: deps venv test lint scan demo sample install package bench clean

deps:
	@bash scripts/install-deps.sh

$(PKGROOT)/sitewatch:
	@mkdir -p $(PKGROOT) && ln -sfn $(CURDIR) $(PKGROOT)/sitewatch

$(VENV)/.installed: requirements-test.txt
	@$(PYTHON) -m venv --system-site-packages $(VENV)
	@$(VENV_PY) -m pip install -q --disable-pip-version-check --ignore-installed -r requirements-test.txt
	@touch $@

venv: deps $(VENV)/.installed $(PKGROOT)/sitewatch

## make test — install everything, run the static checks and the security scan of the plugin zip, then the
## whole test suite (real QGIS, offscreen)
test: venv lint scan
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest

## make scan — Bandit and detect-secrets over the packaged zip's contents, as plugins.qgis.org runs them
scan: venv $(PKGROOT)/sitewatch
	$(VENV_PY) scripts/package.py --scan .build/scan/sitewatch.zip

## make lint — format, lint, types and the QGIS 4 (Qt 6) readiness check, as pre-commit runs them
lint: venv
	$(VENV_PY) -m ruff format --check .
	$(VENV_PY) -m ruff check .
	$(VENV_PY) -m mypy
	$(VENV_PY) scripts/check_qt6.py

## make sample — build the deterministic sample site into sample/data/
sample: deps $(PKGROOT)/sitewatch
	QT_QPA_PLATFORM=offscreen $(PYTHON) -m sitewatch.sample.generate_site sample/data

## make demo — the main job on the sample site: QGIS when there is a display, else qgis_process
demo: deps $(PKGROOT)/sitewatch
	@bash scripts/demo.sh

## make install — put the plugin into your QGIS profile and enable it
install: deps package
	@bash scripts/install-plugin.sh dist/sitewatch.zip

## make package — dist/sitewatch.zip for Plugins ▸ Install from ZIP
package: $(PKGROOT)/sitewatch
	$(PYTHON) scripts/package.py dist/sitewatch.zip

## make bench — the speed benchmarks (prints figures and ratios to baselines)
bench: venv
	@$(VENV_PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements-bench.txt
	@for b in bench/bench_*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(VENV_PY) $$b || exit 1; done

clean:
	rm -rf .build dist demo-output sample/data
