"""Configuration: TOML file, environment overrides, every error reported at once before any
run starts, cron checked by the Prefect scheduler's own parser, one section per source."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from flows.config import ConfigError, load_config
from flows.sources import CATALOG
from tests.conftest import ROOT, SAMPLE


def test_defaults_and_the_example_file_agree() -> None:
    example = ROOT / "hansard.toml.example"
    assert load_config(example, env={}).model_dump() == load_config(env={}).model_dump()
    sections = set(tomllib.loads(example.read_text()))
    assert set(CATALOG.names) <= sections, "every registered source has its example section"


def test_every_registered_source_has_a_config_section() -> None:
    cfg = load_config(env={})
    for source in CATALOG:
        assert getattr(cfg, source.name).model_dump() == source.settings.load()().model_dump()


def test_file_then_environment_overrides(tmp_path: Path) -> None:
    path = tmp_path / "h.toml"
    path.write_text(
        '[hansard_api]\nmax_rps = 4\nhouses = ["Lords"]\n[warehouse]\nroot = "/data/w"\n'
    )
    cfg = load_config(path, env={"HANSARD__HANSARD_API__MAX_RPS": "2.5"})
    assert (cfg.hansard_api.max_rps, cfg.hansard_api.houses, cfg.warehouse.root) == (
        2.5,
        ("Lords",),
        "/data/w",
    )
    assert load_config(env={"HANSARD_CONFIG": str(path)}).hansard_api.houses == ("Lords",)
    env = {"HANSARD__SOURCES__ENABLED": '["twfy_xml"]', "HANSARD__RUN__WORKERS": "3"}
    cfg = load_config(env=env)
    assert cfg.sources.enabled == ("twfy_xml",) and cfg.run.workers == 3


@pytest.mark.parametrize("cron", ["0 6 * * mon-fri", "@daily", "*/15 * * * *", "0 5 * * 1"])
def test_cron_accepted_as_the_scheduler_accepts_it(cron: str) -> None:
    assert load_config(env={"HANSARD__SCHEDULE__DAILY": cron}).schedule.daily == cron


@pytest.mark.parametrize("cron", ["61 * * * *", "every day", "0 6 * *", "H 6 * * *"])
def test_cron_refused_as_the_scheduler_refuses_it(cron: str) -> None:
    with pytest.raises(ConfigError, match="schedule.daily"):
        load_config(env={"HANSARD__SCHEDULE__DAILY": cron})


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("[hansard_api]\nmax_rsp = 3\n", {}, r"hansard_api\.max_rsp: unknown key"),
        ("[apis]\n", {}, r"apis: unknown section"),
        ('[hansard_api]\nmax_rps = "fast"\n', {}, r"hansard_api\.max_rps: Input should be a valid"),
        ("[hansard_api]\nmax_rps = 500\n", {}, r"hansard_api\.max_rps: Input should be less"),
        ('[hansard_api]\nhouses = ["Commons", "Senate"]\n', {}, "hansard_api.houses: must be"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', {}, "unknown time zone"),
        ("", {"HANSARD__SOURCES__ENABLED": '["fax"]'}, r"sources\.enabled: unknown source"),
        ("", {"HANSARD__SOURCES__ENABLED": '["members"]'}, "own schedule"),
        ('[run]\nrunner = "cloud"\n', {}, r"run\.runner"),
        ('[twfy_xml]\nfolders = ["nope"]\n', {}, r"twfy_xml\.folders: must be among"),
        ("[hansard_api\n", {}, "h.toml"),
        ('[hansard_api]\nbase_url = "https://h.example/a b"\n', {}, "cannot hold ' '"),
        ('[hansard_api]\nbase_url = "https://h.example/\\u0000"\n', {}, "cannot hold '\\\\x00'"),
        ('[hansard_api]\nbase_url = "https://h.example:x/"\n', {}, "not a valid URL"),
        ('[hansard_api]\nbase_url = "ftp://h.example/"\n', {}, "not an http"),
        ('[members]\nbase_url = "https:///path"\n', {}, "with a host"),
        ('[warehouse]\nroot = ""\n', {}, r"warehouse\.root: an empty path"),
        ('[warehouse]\nroot = "a\\u0000b"\n', {}, "NUL"),
        ('[warehouse]\nroot = "s3://bucket/wh"\n', {}, r"warehouse\.root: .*object storage"),
    ],
)
def test_invalid_config_is_a_clear_error(
    tmp_path: Path, text: str, env: dict, message: str
) -> None:
    path = tmp_path / "h.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path, env=env)


def test_a_binary_config_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.toml"
    path.write_bytes(b"[run]\n\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match=r"h\.toml: not UTF-8 text \(byte 6\)"):
        load_config(path, env={})


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "h.toml"
    path.write_text(
        '[hansard_api]\nmax_rps = 500\nhouses = ["Senate"]\n[schedule]\ndaily = "61 * * * *"\n'
        '[members]\nschedule = "weekly"\n[nonsense]\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    text = str(caught.value)
    assert text.startswith("5 problem(s)")
    for where in (
        "hansard_api.max_rps",
        "hansard_api.houses",
        "schedule.daily",
        "members.schedule",
        "nonsense",
    ):
        assert f"- {where}:" in text


def test_missing_config_file_named_by_the_environment() -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(env={"HANSARD_CONFIG": "/nonexistent/hansard.toml"})


def test_daily_flow_runs_every_configured_source(tmp_path: Path) -> None:
    from flows.core.publish import read_table
    from flows.core.warehouse import Warehouse
    from flows.deployments import daily_jobs, run_each
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
            f'[warehouse]\nroot = "{tmp_path / "wh"}"\n[pp_text]\ninbox = "{inbox}"\n'
            f'[hansard_api]\nbase_url = "{api.url}"\nhouses = ["Lords"]\ncorrection_days = 3\n'
            f'[votes_api]\ncommons_base_url = "{api.url}"\nlords_base_url = "{api.url}"\n'
        )
        cfg = load_config(config, env={})
        jobs = daily_jobs(cfg)
        assert list(jobs) == ["pp_text", "hansard_api", "votes_api"]  # the default sources
        results = run_each(jobs, cfg)  # what the daily flow runs
    assert results["pp_text"].contributions == 8
    assert results["hansard_api"].days_changed == 0
    assert results["hansard_api"].failures  # the calendar months 404 here: reported
    assert results["votes_api"].failures  # so do both Houses' division searches
    searched = {r.path for r in api.requests if r.path.lower().endswith("search")}
    assert searched == {"/data/divisions.json/search", "/data/Divisions/search"}
    assert read_table(Warehouse.at(tmp_path / "wh"), CONTRIBUTIONS).height == 8


def test_deployments_carry_the_configured_schedules(tmp_path: Path) -> None:
    from flows.deployments import deployments

    path = tmp_path / "h.toml"
    path.write_text(
        '[schedule]\ndaily = "0 7 * * *"\n[members]\nschedule = "0 4 * * 0"\n'
        'base_url = "http://127.0.0.1:9/m"\nfull_after_days = 7\nparlparse = true\n'
    )
    made = {d.name: d for d in deployments(load_config(path, env={}), str(path))}
    assert set(made) == {"daily", "backfill", "rebuild", "members-refresh"}
    crons = {
        n: [(s.schedule.cron, s.schedule.timezone) for s in d.schedules] for n, d in made.items()
    }
    assert crons["daily"] == [("0 7 * * *", "Europe/London")]
    assert crons["members-refresh"] == [("0 4 * * 0", "Europe/London")]
    assert crons["backfill"] == crons["rebuild"] == []
    assert made["daily"].parameters == {"config_path": str(path)}
    # the members refresh runs with the [members] section as configured
    job = made["members-refresh"].parameters["job"]
    assert (job["source"], job["action"]) == ("members", "refresh")
    assert job["params"]["base_url"] == "http://127.0.0.1:9/m"
    assert (job["params"]["full_after_days"], job["params"]["parlparse"]) == (7, True)
