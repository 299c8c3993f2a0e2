"""Configuration: TOML file, environment overrides, and clear errors before any run starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import ConfigError, load_config
from tests.conftest import ROOT, SAMPLE


def test_defaults_and_the_example_file_agree() -> None:
    assert load_config(ROOT / "hansard.toml.example", env={}) == load_config(env={})


def test_file_then_environment_overrides(tmp_path: Path) -> None:
    path = tmp_path / "h.toml"
    path.write_text('[api]\nmax_rps = 4\nhouses = ["Lords"]\n[warehouse]\nroot = "/data/w"\n')
    cfg = load_config(
        path, env={"HANSARD__API__MAX_RPS": "2.5", "HANSARD_API_BASE_URL": "http://127.0.0.1:9"}
    )
    assert (cfg.api.max_rps, cfg.api.houses, cfg.warehouse.root) == (2.5, ("Lords",), "/data/w")
    assert cfg.api.base_url == "http://127.0.0.1:9"
    assert load_config(env={"HANSARD_CONFIG": str(path)}).api.houses == ("Lords",)


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[api]\nmax_rsp = 3\n", {}, r"\[api\]: unknown key\(s\) \['max_rsp'\]"),
        ("[apis]\n", {}, r"unknown section\(s\) \['apis'\]"),
        ('[api]\nmax_rps = "fast"\n', {}, "api.max_rps: expected float"),
        ("[api]\nmax_rps = 500\n", {}, r"api.max_rps: must be in \(0, 50\]"),
        ('[api]\nhouses = ["Commons", "Senate"]\n', {}, "api.houses: must be among"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', {}, "unknown time zone"),
        ("", {"HANSARD__SCHEDULE__DAILY": "every day"}, "not a 5-field cron"),
        ("", {"HANSARD__SOURCES__ENABLED": '["fax"]'}, "sources.enabled: unknown"),
        ("[api\n", {}, "h.toml"),
    ],
)
def test_invalid_config_is_a_clear_error(
    tmp_path: Path, text: str, env: dict, message: str
) -> None:
    path = tmp_path / "h.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path, env=env)


def test_missing_config_file_named_by_the_environment() -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(env={"HANSARD_CONFIG": "/nonexistent/hansard.toml"})


@pytest.mark.usefixtures("prefect_harness")
def test_daily_flow_runs_every_configured_source(tmp_path: Path) -> None:
    from flows.core.publish import read_table
    from flows.core.warehouse import Warehouse
    from flows.deployments import daily
    from tests.support.replay_server import ReplayServer, Routes
    from transforms.schema import CONTRIBUTIONS

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "page.txt").write_bytes(
        (SAMPLE / "lords-chamber-water-quality-2025-01-28.txt").read_bytes()
    )
    with ReplayServer(Routes()) as api:  # no recorded months: the API part finds no days
        config = tmp_path / "h.toml"
        config.write_text(
            f'[warehouse]\nroot = "{tmp_path / "wh"}"\n[sources]\ntext_inbox = "{inbox}"\n'
            f'[api]\nbase_url = "{api.url}"\nhouses = ["Lords"]\ncorrection_days = 3\n'
        )
        results = daily(str(config))
    assert results["pp_text"]["contributions"] == 8
    assert results["hansard_api"]["days_changed"] == 0
    assert results["hansard_api"]["failures"]  # the calendar months 404 here: reported
    assert read_table(Warehouse.at(tmp_path / "wh"), CONTRIBUTIONS).height == 8


def test_deployments_carry_the_configured_schedules(tmp_path: Path) -> None:
    from flows.deployments import deployments

    path = tmp_path / "h.toml"
    path.write_text('[schedule]\ndaily = "0 7 * * *"\nmembers = "0 4 * * 0"\n')
    made = {d.name: d for d in deployments(load_config(path, env={}), str(path))}
    assert set(made) == {"daily", "backfill", "rebuild", "members-refresh"}
    crons = {
        n: [(s.schedule.cron, s.schedule.timezone) for s in d.schedules] for n, d in made.items()
    }
    assert crons["daily"] == [("0 7 * * *", "Europe/London")]
    assert crons["members-refresh"] == [("0 4 * * 0", "Europe/London")]
    assert crons["backfill"] == crons["rebuild"] == []
    assert made["daily"].parameters == {"config_path": str(path)}
    with pytest.raises(ConfigError, match="schedule.members"):
        load_config(path, env={"HANSARD__SCHEDULE__MEMBERS": "weekly"})


def test_members_refresh_deployment_passes_the_members_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduled members refresh runs with the [members] section as configured."""
    from flows import deployments

    seen: dict = {}

    def capture(**kwargs):  # noqa: ANN003, ANN202
        seen.update(kwargs)
        raise RuntimeError("captured")  # stop before any fetching

    monkeypatch.setattr(deployments, "refresh_members", capture)
    path = tmp_path / "h.toml"
    path.write_text(
        '[members]\nbase_url = "http://127.0.0.1:9/m"\nfull_after_days = 7\nparlparse = true\n'
        'parlparse_base_url = "http://127.0.0.1:9/pp"\nparlparse_files = ["people.json"]\n'
    )
    with pytest.raises(RuntimeError, match="captured"):
        deployments.members_refresh.fn(str(path))
    assert seen["base_url"] == "http://127.0.0.1:9/m"
    assert (seen["full_after_days"], seen["parlparse"]) == (7, True)
    assert seen["parlparse_base_url"] == "http://127.0.0.1:9/pp"
    assert seen["parlparse_files"] == ["people.json"]
