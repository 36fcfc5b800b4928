"""[tool.sdkgen] describes one spec: its names and folder apply to that spec only."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.conftest import SPEC, importable, models_text, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "api.yaml").write_text(SPEC.read_text())
    (tmp_path / "other.yaml").write_text(SPEC.read_text().replace("title: OpenAI Realtime", "title: Other"))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sdkgen]\nspec = "api.yaml"\noutput = "sdk"\npackage-name = "mine"\nclient-name = "Mine"\n'
        'api-key-env = "MINE_KEY"\n'
    )
    (tmp_path / "Makefile").write_text("VAR := 1\n\ngenerate:\n\tsdkgen generate\n")
    return tmp_path


def test_the_configured_spec_gets_the_configured_names(project: Path) -> None:
    assert run_cli("generate", cwd=project).exit_code == 0
    assert (project / "sdk" / "mine" / "_client.py").is_file()
    # the same file named another way is still the configured spec
    assert run_cli("generate", "--spec", project / "api.yaml", "--out", "again", cwd=project).exit_code == 0
    assert "class Mine(" in (project / "again" / "mine" / "_client.py").read_text()
    assert "MINE_KEY" in (project / "again" / "README.md").read_text()


def test_another_spec_gets_names_from_its_own_title(project: Path) -> None:
    result = run_cli("generate", "--spec", "other.yaml", "--out", "elsewhere", cwd=project)
    assert result.exit_code == 0, result.stderr
    client = (project / "elsewhere" / "other_sessions" / "_client.py").read_text()
    assert "class OtherSessions(" in client
    assert "OTHER_SESSIONS_API_KEY" in (project / "elsewhere" / "README.md").read_text()
    assert not (project / "sdk").exists(), "the configured output folder is not used either"


def test_another_spec_needs_its_own_out(project: Path) -> None:
    result = run_cli("generate", "--spec", "other.yaml", cwd=project)
    assert result.exit_code == 2
    assert "--out" in result.stderr and "describes another spec" in result.stderr


def test_check_suggests_make_generate_only_where_it_fixes_the_folder(project: Path) -> None:
    assert run_cli("generate", cwd=project).exit_code == 0
    readme = project / "sdk" / "README.md"
    readme.write_text(readme.read_text() + "drift\n")

    result = run_cli("check", cwd=project)
    assert result.exit_code == 1 and "run `make generate` to regenerate it" in result.stderr

    (project / "sub").mkdir()
    result = run_cli("check", cwd=project / "sub")  # no Makefile here: the command that works here
    assert result.exit_code == 1 and "run `sdkgen generate` to regenerate it" in result.stderr

    result = run_cli("check", "--spec", "other.yaml", "--out", "sdk", "--keep", "docs/", cwd=project)
    fix = shlex.join(["sdkgen", "generate", "--spec", "other.yaml", "--out", "sdk", "--keep", "docs/"])
    assert result.exit_code == 1 and f"run `{fix}` to regenerate it" in result.stderr

    run_fix = run_cli(*shlex.split(fix)[1:], cwd=project)
    assert run_fix.exit_code == 0, run_fix.stderr
    assert (
        run_cli("check", "--spec", "other.yaml", "--out", "sdk", "--keep", "docs/", cwd=project).exit_code
        == 0
    )


def test_the_names_table_renames_operations_and_models(project: Path, prism: str) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '[tool.sdkgen.names]\noperations = { create-realtime-session = "create_session" }\n'
        + 'models = { ClientSecret = "EphemeralKey", RealtimeSessionCreateResponse = "Session" }\n'
    )
    assert run_cli("generate", cwd=project).exit_code == 0
    client = (project / "sdk" / "mine" / "_client.py").read_text()
    models = models_text(project / "sdk" / "mine")
    assert "def create_session(" in client and "-> Session:" in client
    assert "class EphemeralKey(BaseModel)" in models and "client_secret: EphemeralKey" in models
    assert (
        "ClientSecret" not in models and (project / "sdk" / "docs" / "models" / "EphemeralKey.md").is_file()
    )
    assert (project / "sdk" / "docs" / "operations" / "create_session.md").is_file()
    with importable(project / "sdk", "mine") as module, module.Mine(api_key="k", base_url=prism) as client:
        session = client.create_session(model="gpt-realtime")  # Prism checks the renamed call
        assert isinstance(session, module.models.Session)
        assert isinstance(session.client_secret, module.models.EphemeralKey)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('operations = { create-realtime-session = "class" }', "not a usable method name"),
        ('models = { ClientSecret = "APIError" }', "not a usable class name"),
        ('models = { ClientSecret = "Error" }', "another schema is already called 'Error'"),
        ('colours = { a = "b" }', "unknown key 'colours' in [tool.sdkgen.names]"),
    ],
)
def test_a_bad_names_table_is_named(project: Path, table: str, message: str) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"[tool.sdkgen.names]\n{table}\n")
    result = run_cli("generate", cwd=project)
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert "internal error" not in result.stderr and not (project / "sdk").exists()
