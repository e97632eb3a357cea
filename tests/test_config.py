"""Configuration from the environment (etp_orient/config.py)."""

import subprocess

import pytest

from etp_orient.config import from_environment
from tests.fixtures.servers import ROOT


@pytest.fixture
def env(monkeypatch):
    for name in ("BASE_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_base_url_follows_port_when_not_set(env, tmp_path):
    env.setenv("PORT", "8000")
    assert from_environment(str(tmp_path))["BASE_URL"] == "http://127.0.0.1:8000"


def test_base_url_defaults_to_port_5000(env, tmp_path):
    assert from_environment(str(tmp_path))["BASE_URL"] == "http://127.0.0.1:5000"


def test_base_url_when_set_wins_over_port(env, tmp_path):
    env.setenv("PORT", "8000")
    env.setenv("BASE_URL", "https://etp.example.org/")
    assert from_environment(str(tmp_path))["BASE_URL"] == "https://etp.example.org"


def test_make_run_passes_its_port_to_the_app():
    # `make -n` prints the commands without running them.
    commands = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    serve = [line for line in commands.splitlines() if " run --port 8123" in line]
    assert serve and "PORT=8123 " in serve[0], commands


def test_make_run_starts_the_worker_and_stops_it_with_the_server():
    commands = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "etp-orient worker & worker=$!" in commands
    assert "trap 'kill $worker" in commands
