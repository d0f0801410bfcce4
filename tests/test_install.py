"""The README's install path, the GitHub Action's script steps and the pre-commit hook, run for real.

A fresh virtual environment gets the built wheel (core dependencies only, no extras), as a user
following the README's "Install" section would; `pindai` then runs from another directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent.parent
SECRET_SOURCE = 'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n'


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=900, **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
                 "-w", str(out)])
    assert done.returncode == 0, done.stderr
    (built,) = out.glob("pindai-*.whl")
    return built


@pytest.fixture(scope="module")
def fresh_bin(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """``bin/`` of a new venv with only the wheel and its core dependencies installed."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    done = _run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)])
    assert done.returncode == 0, done.stderr
    return env_dir / "bin"


@pytest.fixture
def source_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "aplikasi"
    tree.mkdir()
    (tree / "settings.py").write_text(SECRET_SOURCE)
    return tree


def _user_env(bin_dir: Path, home: Path) -> dict[str, str]:
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
            "PINDAI_STORE": f"sqlite:///{home / 'history.db'}"}


def test_wheel_install_runs_from_another_directory(fresh_bin: Path, source_tree: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _user_env(fresh_bin, tmp_path)
    assert _run(["pindai", "--version"], cwd=elsewhere, env=env).returncode == 0
    done = _run(["pindai", "scan", str(source_tree), "--no-store", "--format", "json", "--fail-on", "high"],
                cwd=elsewhere, env=env)
    assert done.returncode == 1, done.stderr
    rules = {f["rule_id"] for f in json.loads(done.stdout)["findings"]}
    assert any(r.startswith("PND-CODE-") for r in rules), rules
    assert "wJalrXUtnFEMI" not in done.stdout


def test_core_install_names_the_missing_extra(fresh_bin: Path, tmp_path: Path) -> None:
    env = _user_env(fresh_bin, tmp_path)
    done = _run(["pindai", "scan", "--distributed", "https://127.0.0.1:9/", "--no-store"], cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert "pindai[distributed]" in done.stderr and "Traceback" not in done.stderr
    done = _run(["pindai", "worker", "--zone", "dmz"], cwd=tmp_path, env=env)
    assert done.returncode == 2 and "pindai[distributed]" in done.stderr
    done = _run(["pindai", "scan", "mysql://pindai@127.0.0.1:9/simpeg", "--no-store", "--format", "json"],
                cwd=tmp_path, env=env)
    assert done.returncode == 2, done.stderr  # one exit code for a missing extra, before any traffic
    assert "pipx inject pindai pymysql" in done.stderr and "pindai[mysql]" in done.stderr
    assert "Traceback" not in done.stderr


def _action_steps() -> dict[str, str]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    return {step["name"]: step["run"] for step in action["runs"]["steps"] if "run" in step}


def test_action_script_steps(fresh_bin: Path, wheel: Path, source_tree: Path, tmp_path: Path) -> None:
    steps = _action_steps()
    env = _user_env(fresh_bin, tmp_path)
    install = _run(["bash", "-c", steps["Install Pindai"]], cwd=tmp_path,
                   env={**env, "PINDAI_PIP_SPEC": str(wheel), "PINDAI_ACTION_PATH": str(ROOT)})
    assert install.returncode == 0, install.stderr
    output = tmp_path / "github_output"
    canary = tmp_path / "injected"
    inputs = {"INPUT_TARGETS": f"{source_tree} $(touch {canary})", "INPUT_PROFILE": "", "INPUT_FAIL_ON": "high",
              "INPUT_BASELINE": "", "INPUT_ARGS": "--format json", "INPUT_SARIF": "out.sarif", "INPUT_LANG": "en",
              "GITHUB_OUTPUT": str(output)}
    scan = _run(["bash", "-c", steps["Scan"]], cwd=tmp_path, env={**env, **inputs})
    assert not canary.exists()  # inputs are data, never shell code
    # `$(touch ...)` is two words that are not targets: a usage error names them
    assert scan.returncode == 2 and "exit_code=2" in output.read_text()
    inputs["INPUT_TARGETS"] = str(source_tree)
    output.write_text("")
    scan = _run(["bash", "-c", steps["Scan"]], cwd=tmp_path, env={**env, **inputs})
    assert scan.returncode == 1, scan.stderr
    assert output.read_text().strip() == "exit_code=1"
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    assert sarif["runs"][0]["results"]
    # an option smuggled inside `targets` is refused before anything runs (it would turn the gate green)
    for smuggled in ("--fail-on=none", "--exclude-rule=PND-CODE-001", "-q"):
        output.write_text("")
        inputs["INPUT_TARGETS"] = f"{source_tree} {smuggled}"
        scan = _run(["bash", "-c", steps["Scan"]], cwd=tmp_path, env={**env, **inputs})
        assert scan.returncode == 2 and smuggled in scan.stdout + scan.stderr, scan.stdout + scan.stderr
        assert output.read_text().strip() == "exit_code=2"
    # a partial scan (exit 3) fails the step unless the workflow allows it
    inputs["INPUT_TARGETS"] = "http://127.0.0.1:1/"
    for allow, expected in (("false", 3), ("true", 0)):
        output.write_text("")
        scan = _run(["bash", "-c", steps["Scan"]], cwd=tmp_path, env={**env, **inputs, "INPUT_ALLOW_PARTIAL": allow})
        assert scan.returncode == expected, scan.stdout + scan.stderr
        assert output.read_text().strip() == "exit_code=3"


@pytest.fixture
def git_repo(tmp_path: Path) -> Iterator[Path]:
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    _run([*git, "init", "-q"])
    (repo / "app.py").write_text("print('halo')\n")
    _run([*git, "add", "app.py"])
    _run([*git, "commit", "-q", "-m", "init"])
    yield repo


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed by pre-commit")
def test_pre_commit_hook_on_changed_files(git_repo: Path, tmp_path: Path) -> None:
    pre_commit = Path(sys.executable).parent / "pre-commit"
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "PINDAI_STORE": f"sqlite:///{tmp_path / 'h.db'}"}
    (git_repo / "settings.py").write_text(SECRET_SOURCE)
    _run(["git", "-C", str(git_repo), "add", "settings.py"])
    dirty = _run([str(pre_commit), "try-repo", str(ROOT), "pindai-code", "--files", "settings.py"],
                 cwd=git_repo, env=env)
    assert dirty.returncode == 1, dirty.stdout + dirty.stderr
    assert "Failed" in dirty.stdout and "wJalrXUtnFEMI" not in dirty.stdout
    clean = _run([str(pre_commit), "try-repo", str(ROOT), "pindai-code", "--files", "app.py"], cwd=git_repo, env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout


def test_action_first_run_without_a_baseline_passes_and_writes_one(
        fresh_bin: Path, source_tree: Path, tmp_path: Path) -> None:
    steps = _action_steps()
    env = _user_env(fresh_bin, tmp_path)
    baseline = tmp_path / ".pindai" / "baseline.json"
    inputs = {"INPUT_TARGETS": str(source_tree), "INPUT_PROFILE": "", "INPUT_FAIL_ON": "high",
              "INPUT_BASELINE": str(baseline), "INPUT_ARGS": "", "INPUT_SARIF": "out.sarif", "INPUT_LANG": "en",
              "GITHUB_OUTPUT": str(tmp_path / "github_output")}
    first = _run(["bash", "-c", steps["Scan"]], cwd=tmp_path, env={**env, **inputs})
    assert first.returncode == 0, first.stderr + first.stdout
    assert "no baseline" in first.stdout and json.loads(baseline.read_text())["findings"]
    second = _run(["bash", "-c", steps["Scan"]], cwd=tmp_path, env={**env, **inputs})
    assert second.returncode == 0, second.stderr  # the same findings are known, not new
    (source_tree / "more.py").write_text('JWT_SECRET_KEY = "pindai-fixture-new-jwt-secret-value"\n'
                                         'import subprocess\nsubprocess.call("ls", shell=True)\n')
    third = _run(["bash", "-c", steps["Scan"]], cwd=tmp_path, env={**env, **inputs})
    assert third.returncode == 1, third.stdout  # a new finding fails the step


def _gitlab_job() -> dict[str, object]:
    job: dict[str, object] = yaml.safe_load((ROOT / "docs" / "ci" / "gitlab-ci.yml").read_text())["pindai"]
    return job


def test_gitlab_template_installs_and_its_first_run_writes_a_baseline(
        fresh_bin: Path, wheel: Path, source_tree: Path, tmp_path: Path) -> None:
    """The job's own before_script and script, run by POSIX sh with the job's variables."""
    job = _gitlab_job()
    variables = {k: str(v) for k, v in job["variables"].items()}  # type: ignore[attr-defined]
    project = tmp_path / "project"
    (project / ".pindai").mkdir(parents=True)
    (project / ".pindai" / "profile.toml").write_text(f'[[targets]]\ntarget = "{source_tree}"\n')
    env = {**_user_env(fresh_bin, tmp_path), **variables, "PINDAI_PIP_SPEC": str(wheel),
           "CI_PROJECT_DIR": str(project), "PIP_CACHE_DIR": str(project / ".cache" / "pip")}
    for command in job["before_script"]:  # type: ignore[attr-defined]
        done = _run(["sh", "-c", command], cwd=project, env=env)
        assert done.returncode == 0, done.stderr
    script = "\n".join(job["script"])  # type: ignore[arg-type]
    first = _run(["sh", "-c", script], cwd=project, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert json.loads((project / ".pindai" / "baseline.json").read_text())["findings"]
    for report in ("gl-sast-report.json", "gl-code-quality-report.json", "pindai-junit.xml", "pindai.sarif"):
        assert (project / report).is_file(), report
    second = _run(["sh", "-c", script], cwd=project, env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    reports = job["artifacts"]["reports"]  # type: ignore[index]
    assert reports == {"junit": "pindai-junit.xml", "sast": "gl-sast-report.json",
                       "codequality": "gl-code-quality-report.json"}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed by pre-commit")
def test_pre_commit_files_named_like_options_are_files(git_repo: Path, tmp_path: Path) -> None:
    """Committed files called ``--fail-on=none`` (and the like) must not turn a failing hook green."""
    pre_commit = Path(sys.executable).parent / "pre-commit"
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "PINDAI_STORE": f"sqlite:///{tmp_path / 'h.db'}"}
    names = ["--fail-on=none", "--exclude-rule=PND-CODE-001", "--severity=info"]
    (git_repo / "settings.py").write_text(SECRET_SOURCE)
    for name in names:
        (git_repo / name).write_text("x = 1\n")
    _run(["git", "-C", str(git_repo), "add", "--", "settings.py", *names])
    done = _run([str(pre_commit), "try-repo", str(ROOT), "pindai-code", "--all-files"], cwd=git_repo, env=env)
    assert done.returncode == 1 and "Failed" in done.stdout, done.stdout + done.stderr
    assert "PND-CODE-001" in done.stdout
