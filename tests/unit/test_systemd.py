"""The systemd units: paths and commands match the project; systemd-analyze accepts them."""

import configparser
import shutil
import subprocess
import sys

import pytest

from project.config import PROJECT_ROOT
from project.deploy.settings import DeploySettings
from project.deploy.supervisor import render_supervisord_conf
from project.deploy.systemd import render_systemd_unit, unit_name


@pytest.fixture
def settings(tmp_path, monkeypatch):
    return DeploySettings(var_dir=str(tmp_path / "var"))


def parse(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str
    parser.read_string(text)
    return parser


@pytest.mark.parametrize("user_service", [False, True])
def test_unit_runs_the_projects_ctl_from_its_folder(settings, user_service):
    unit = parse(render_systemd_unit(settings, user_service))
    service = unit["Service"]
    ctl = f"{sys.executable} -m project.cli"
    assert service["WorkingDirectory"] == str(PROJECT_ROOT)
    assert service["ExecStart"] == f"{ctl} start"
    assert service["ExecStop"] == f"{ctl} stop"
    assert service["ExecReload"] == f"{ctl} reload"
    assert service["Type"] == "forking"
    supervisord = parse(render_supervisord_conf(settings))["supervisord"]
    assert service["PIDFile"] == supervisord["pidfile"]
    assert ("User" in service) is not user_service
    expected = "default.target" if user_service else "multi-user.target"
    assert unit["Install"]["WantedBy"] == expected


def test_unit_outwaits_a_graceful_stop(settings):
    service = parse(render_systemd_unit(settings))["Service"]
    supervisor = parse(render_supervisord_conf(settings))["program:web"]
    assert int(service["TimeoutStopSec"]) > int(supervisor["stopwaitsecs"])


def test_systemd_analyze_verify_accepts_the_unit(settings, tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not installed (Debian package systemd): verify not run")
    path = tmp_path / unit_name(settings)
    path.write_text(render_systemd_unit(settings))
    result = subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    relevant = [line for line in result.stderr.splitlines() if path.name in line]
    assert relevant == []
