"""The intake benchmark and the package's purity (no Django needed)."""

from __future__ import annotations

import json
import subprocess
import sys

from danvan.tools.bench.intake import bench_intake


def test_bench_intake_small_run():
    result = bench_intake(n_forms=3, per_form=4)
    assert set(result) >= {
        "forms",
        "exemplars",
        "exemplars_per_form",
        "parse_seconds",
        "forms_per_second",
        "exemplars_per_second",
        "target_forms_per_second",
        "meets_target",
    }
    assert result["forms"] == 3
    assert result["exemplars"] == 2 * 4 + 3  # two typical forms + seed 001
    assert result["forms_per_second"] > 0
    json.dumps(result)


def test_intake_does_not_import_django():
    code = "import sys, danvan.intake.parser, danvan.tools.bench.intake; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
