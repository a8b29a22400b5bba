"""The server's configuration: API keys stored as digests, TOML, refusals; serve and sweep."""

from __future__ import annotations

import hashlib
import inspect
import time
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from web_helpers import NOW, make_service, submit

import lapor_core as lc
from lapor_core import web
from lapor_core._cli_web import app_from_environment, parse_interval
from lapor_core.cli import main
from lapor_core.errors import ValidationError
from lapor_core.web import (
    ApiKey,
    WebConfig,
    app,
    config,
    create_app,
    hash_api_key,
    load_web_config,
)

DIGEST = hash_api_key("kunci-rahasia")


def test_hash_api_key_is_sha256_hex() -> None:
    assert hashlib.sha256(b"kunci-rahasia").hexdigest() == DIGEST
    with pytest.raises(ValidationError, match="non-empty"):
        hash_api_key("")


def test_find_key_matches_only_the_key_itself() -> None:
    first = ApiKey(DIGEST, name="wal")
    second = ApiKey(hash_api_key("kunci-lain"), name="lain")
    settings = WebConfig(api_keys=(first, second))
    assert first is settings.find_key("kunci-rahasia")
    assert second is settings.find_key("kunci-lain")
    assert settings.find_key("kunci-rahasi") is None
    assert settings.find_key(DIGEST) is None  # the digest is not a key
    assert settings.find_key(None) is None  # no key given
    assert settings.find_key("") is None


def test_api_key_refuses_a_plain_key() -> None:
    with pytest.raises(ValidationError, match="64 lowercase hex"):
        ApiKey("kunci-rahasia")


def test_load_web_config_from_toml(tmp_path: Path) -> None:
    text = f"""
jurisdiction_id = "kaltimprov.go.id"
post_requires_key = false
cors_origins = ["https://lapor.example.org"]
max_body_bytes = 4096
rate_limit = "10/second"
target_agency = "kaltim"

[[api_keys]]
sha256 = "{DIGEST}"
channel = "regional_app"
channel_name = "LAPOR WAL!"
actor = "lapor-wal"
"""
    path = tmp_path / "web.toml"
    path.write_text(text, encoding="utf-8")
    settings = load_web_config(path)
    assert "kaltimprov.go.id" == settings.jurisdiction_id
    assert not settings.post_requires_key
    assert ("https://lapor.example.org",) == settings.cors_origins
    assert 4096 == settings.max_body_bytes
    assert "10/second" == settings.rate_limit
    [key] = settings.api_keys
    assert lc.Channel(lc.ChannelType.REGIONAL_APP, "LAPOR WAL!") == key.channel
    assert lc.Actor.system("lapor-wal") == key.actor
    assert key is settings.find_key("kunci-rahasia")
    assert load_web_config('rate_limit = ""').rate_limit is None


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("jurisdiction = 'x'", "jurisdiction"),
        ("max_body_bytes = 0", "max_body_bytes"),
        ("post_requires_key = 'ya'", "post_requires_key"),
        ("cors_origins = [1]", "cors_origins"),
        ("[[api_keys]]\nchannel = 'web'", "sha256"),
        ("[[api_keys]]\nsha256 = 'kunci'", "64 lowercase hex"),
        (f"[[api_keys]]\nsha256 = '{DIGEST}'\nchannel = 'merpati'", "api_keys[0]"),
        (f"[[api_keys]]\nsha256 = '{DIGEST}'\nrole = 'raja'", "api_keys[0]"),
        ("api_keys = 'x'", "api_keys"),
        ("jurisdiction_id = ", "not TOML"),
        # each of these loaded, and failed later: when the app was made, or on every request
        ("rate_limit = 'lots'", "rate_limit"),
        ("rate_limit = '0/minute'", "rate_limit"),
        ("time_zone = 'Mars/Olympus'", "time_zone"),
        ("cors_origins = 'https://app.example'", "cors_origins"),
    ],
)
def test_load_web_config_refusals_name_the_key(text: str, named: str) -> None:
    with pytest.raises(ValidationError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_web_config(text)


def test_parse_interval() -> None:
    assert 300.0 == parse_interval("5m")
    assert 30.0 == parse_interval("30s")
    assert 3600.0 == parse_interval("1h")
    assert 12.0 == parse_interval("12")
    for bad in ("", "0s", "5 menit", "-1m"):
        with pytest.raises(ValidationError, match="interval"):
            parse_interval(bad)


def test_sweep_command_issues_the_owed_clock_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'lapor.sqlite3'}"
    service = make_service(url, now=NOW - timedelta(days=30))
    submit(service, "c-1", at=NOW - timedelta(days=30))
    service.store.close()
    assert 0 == main(["sweep", "--store", url])
    first = capsys.readouterr().out
    assert "sweep: 1 claimed" in first
    reread = make_service(url)
    assert reread.get(lc.ComplaintId("c-1")).version > 1  # a breach was recorded
    reread.store.close()
    assert 0 == main(["sweep", "--store", url, "--every", "0.01s", "--rounds", "2"])
    lines = capsys.readouterr().out.splitlines()
    assert 2 == len(lines)
    assert all(line.startswith("sweep: ") for line in lines)


def test_serve_refuses_several_workers_on_memory(capsys: pytest.CaptureFixture[str]) -> None:
    assert 1 == main(["serve", "--store", "memory://", "--workers", "2"])
    assert "shared store" in capsys.readouterr().err


def test_serve_refuses_a_bad_config_before_starting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "web.toml"
    path.write_text("rahasia = 1\n", encoding="utf-8")
    assert 1 == main(["serve", "--store", "memory://", "--config", str(path)])
    assert "rahasia" in capsys.readouterr().err


def test_every_public_name_of_the_web_package_is_documented() -> None:
    for module in (web, app, config):
        assert "versionadded:: 0.2.0" in (module.__doc__ or ""), module.__name__
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                assert "versionadded:: 0.2.0" in (inspect.getdoc(obj) or ""), name


def test_sweep_needs_an_existing_sqlite_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "tidak-ada.sqlite3"
    assert 1 == main(["sweep", "--store", f"sqlite:///{missing}"])
    assert "no SQLite database" in capsys.readouterr().err
    assert not missing.exists()


def test_serve_app_sweeps_in_the_server_and_closes_its_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'lapor.sqlite3'}"
    seeded = make_service(url, now=NOW - timedelta(days=30))
    submit(seeded, "c-1", at=NOW - timedelta(days=30))
    seeded.store.close()
    monkeypatch.setenv("LAPOR_STORE", url)
    monkeypatch.setenv("LAPOR_SWEEP_EVERY", "0.05s")
    monkeypatch.setenv("LAPOR_WEB_PREFIX", "/open311/v2")
    monkeypatch.delenv("LAPOR_WEB_CONFIG", raising=False)
    with TestClient(app_from_environment()) as client:
        assert 200 == client.get("/open311/v2/services.json").status_code
        deadline = time.monotonic() + 10
        while True:
            [request] = client.get("/open311/v2/requests/c-1.json").json()
            if request["updated_datetime"] != request["requested_datetime"]:
                break
            assert time.monotonic() < deadline, "the sweeper recorded nothing"
            time.sleep(0.05)
    reread = make_service(url)
    assert reread.get(lc.ComplaintId("c-1")).version > 1
    reread.store.close()


def test_an_unknown_target_agency_is_refused_when_the_app_is_made() -> None:
    """It was accepted, and every POST was then answered 404 as if the client were wrong."""
    with pytest.raises(ValidationError, match="target_agency: no agency with id 'nope'"):
        create_app(make_service(), config=WebConfig(target_agency="nope"))
