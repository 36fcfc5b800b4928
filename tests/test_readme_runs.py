"""The generated README's first example runs as written, for a spec whose first call needs arguments."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, generate_sdk, prism_server

SPEC = ROOT / "tests" / "specs" / "first_call.yaml"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def test_readme_snippets_run_unchanged_against_prism(tmp_path: Path) -> None:
    sdk, _ = generate_sdk(SPEC, tmp_path)
    readme = (sdk / "README.md").read_text()
    assert "`GARDEN_WEB_API_KEY`" in readme, "the env var name does not stutter (not ..._API_API_KEY)"
    snippets = [body for lang, body in FENCE.findall(readme) if lang == "python"]
    assert len(snippets) == 3
    for snippet in snippets:  # path, required query and header, and the required body fields
        assert "plant_seeds(" in snippet and 'season="spring"' in snippet and "x_request_tag=" in snippet
        assert 'species="tomato"' in snippet and "count=" in snippet and "depth_cm=" in snippet
    (curl,) = [
        body
        for lang, body in FENCE.findall((sdk / "docs/operations/plant_seeds.md").read_text())
        if lang == "sh"
    ]
    with prism_server(SPEC) as url:  # Prism rejects a call that lacks a required argument or the token
        env = {**os.environ, "GARDEN_WEB_API_KEY": "sk-garden", "GARDEN_WEB_API_BASE_URL": url}
        for snippet in snippets:
            result = subprocess.run(
                [sys.executable, "-c", snippet],
                env={**env, "PYTHONPATH": str(sdk)},
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 0, f"{snippet}\n{result.stderr}"
            assert "species=" in result.stdout or result.stdout.startswith("200 "), result.stdout
        result = subprocess.run(["bash", "-c", curl], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and '"species"' in result.stdout, curl + result.stdout + result.stderr
