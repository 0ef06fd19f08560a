"""Country scale: the review benchmark at 250,000 structures × 14 dates (3,500,000 observations,
1,000 compounds) printed next to the same run at 20,000 structures × 14 dates (80 compounds)
and to the named baselines of each run (a plain ``changeAttributeValue`` + ``commitChanges``
on the same GeoPackage; the whole site rendered by type).

Each size runs ``bench_review.py`` in its own process, one after the other (the machine has two
cores and other work), so the memory figures are that process's own. Sites are built once and
cached under ``.build/bench`` (the 250,000 site takes a few minutes the first time).

Run: PYTHONPATH=.build/pkgroot QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/bench_country_scale.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = {"20k": (20_000, 14, 80), "250k": (250_000, 14, 1_000)}
ROWS = (  # (figure, label, goal text, goal check on the 250k figures)
    ("open_ms", "open the assessment (layers, style, queue, pair)", "< 3000 ms", lambda f: f["open_ms"] < 3000),
    ("open_cpu_ms", "  its CPU time over all threads (load-independent)", "", None),
    ("commit_ms", "key press → committed row (+ queue dock, style)", "", None),
    ("key_ms", "key press → committed and re-rendered", "< 30 ms, ≤ 1.2× 20k", None),
    ("step_ms", "next in queue → highlighted and zoomed", "< 10 ms", lambda f: f["step_ms"] < 10),
    ("baseline_ms", "baseline: changeAttributeValue + commitChanges", "", None),
    ("render_status_ms", "whole site rendered by status", "≤ 1.2× by type", None),
    ("render_type_ms", "baseline: whole site rendered by type", "", None),
    ("render_status_cpu_ms", "  by status, CPU time (load-independent)", "", None),
    ("render_type_cpu_ms", "  by type, CPU time (load-independent)", "", None),
    ("memory_peak_mb", "peak memory of the process (MB)", "< 2048 MB", lambda f: f["memory_peak_mb"] < 2048),
)


def run(name: str, repeats: int) -> dict[str, float]:
    structures, dates, compounds = SIZES[name]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "figures.json"
        command = [sys.executable, str(HERE / "bench_review.py"), "--structures", str(structures)]
        command += ["--dates", str(dates), "--compounds", str(compounds), "--repeats", str(repeats)]
        finished = subprocess.run([*command, "--json", str(out)], env=os.environ, check=False)
        if finished.returncode not in (0, 2):
            raise SystemExit(f"the {name} run ended with {finished.returncode} (a crash when negative)")
        return dict(json.loads(out.read_text()))


def main() -> int:
    repeats = int(os.environ.get("BENCH_REPEATS", "40"))
    figures = {name: run(name, repeats) for name in SIZES}
    small, large = figures["20k"], figures["250k"]
    print()
    print(f"{'work':52} {'20k':>10} {'250k':>10} {'250k/20k':>9}  goal")
    for key, label, goal, _check in ROWS:
        print(f"{label:52} {small[key]:10.1f} {large[key]:10.1f} {large[key] / small[key]:8.2f}×  {goal}")
    for name, f in figures.items():
        print(
            f"{name}: key → re-rendered {f['key_ms'] / f['baseline_ms']:.2f}× the commit baseline; "
            f"render by status {f['render_status_ms'] / f['render_type_ms']:.2f}× by type "
            f"(CPU {f['render_status_cpu_ms'] / f['render_type_cpu_ms']:.2f}×)"
        )
    met = [
        large["key_ms"] < 30 and large["key_ms"] <= 1.2 * small["key_ms"],
        large["render_status_ms"] <= 1.2 * large["render_type_ms"],
        *(check(large) for _key, _label, _goal, check in ROWS if check is not None),
    ]
    print(f"goals met: {sum(met)} / {len(met)}; load {Path('/proc/loadavg').read_text().split()[0]}")
    return 0 if all(met) else 2


if __name__ == "__main__":
    sys.exit(main())
