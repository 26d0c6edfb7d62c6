"""The bundled rules are found from an editable install and from a built wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = (
    "import cleaner, json; from cleaner.ruleset import bundled_rules_dir; "
    "from cleaner import RuleSet; r = RuleSet.default(); "
    "print(json.dumps([cleaner.__file__, str(bundled_rules_dir()), len(r.sites), "
    "r.defaults is not None]))"
)


def test_editable_install_finds_top_level_rules():
    """From the source checkout, the bundled rules are the top-level rules/ folder."""
    from cleaner.ruleset import bundled_rules_dir

    assert bundled_rules_dir() == ROOT / "rules"


@pytest.mark.slow
def test_wheel_installed_elsewhere_finds_its_rules(tmp_path):
    """A wheel built from the tree carries rules/ and finds them when installed elsewhere."""
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cleaner/_rules/_defaults.yaml" in names
    assert "cleaner/_rules/okezone.com.yaml" in names
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["PYTHONPATH"] = str(target)
    # -S keeps the editable install's path hook out; lxml etc. come via an explicit path.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    env["PYTHONPATH"] = os.pathsep.join([str(target), *deps])
    out = subprocess.run(
        [sys.executable, "-S", "-c", CHECK],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
    )
    import json

    file, rules_dir, n_sites, has_defaults = json.loads(out.stdout)
    assert file.startswith(str(target))
    assert rules_dir == str(target / "cleaner" / "_rules")
    assert n_sites >= 9 and has_defaults
