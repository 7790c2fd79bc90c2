"""``biosweep.toml``: every documented key read, mistakes named, secrets kept secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.config import ConfigError, Secret, load_config
from scanner.models import Severity

FULL = """
[site]
name = "HQ, 3rd floor"
operator = "security office"
registry = "site.yaml"
targets = ["10.0.0.0/24"]
exclude = ["10.0.0.7"]
exclude_files = ["exclude.txt"]
allow_public = false
confirm_large_scope = false

[sweep]
ports = "80,554"
only = "http,rtsp"
snmp = false
rate = 500
host_rate = 20.0
host_connections = 1
deadline = 5
host_budget = 60

[store]
path = "data/history.sqlite"
keep_days = 90

[watch]
cron = "*/30 * * * *"
lock = "run/site.lock"
on_overlap = "wait"
wait_lock = "10m"
min_severity = "medium"

[alerts.webhook]
url = "https://hooks.example.org/biosweep"
secret_file = "webhook.secret"
retries = 4
timeout = 5
backoff = 2

[alerts.email]
host = "smtp.example.org"
from = "biosweep@example.org"
to = ["security@example.org"]
username = "biosweep"
password_env = "BIOSWEEP_SMTP_PASSWORD"

[alerts.syslog]
address = "udp://127.0.0.1:514"
facility = "local3"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "biosweep.toml"
    path.write_text(text)
    return path


def test_every_documented_key_is_read_and_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, FULL))
    assert cfg.site == "HQ, 3rd floor" and cfg.targets == ("10.0.0.0/24",)
    assert cfg.registry == tmp_path / "site.yaml"
    assert cfg.store == tmp_path / "data" / "history.sqlite"
    assert cfg.keep_days == 90
    assert cfg.schedule.cron is not None and cfg.schedule.cron.text == "*/30 * * * *"
    assert cfg.on_overlap == "wait" and cfg.wait_lock == 600
    assert cfg.min_severity is Severity.MEDIUM
    assert cfg.webhook is not None and cfg.webhook.retries == 4
    assert cfg.email is not None and cfg.email.port == 587 and cfg.email.security == "starttls"
    assert cfg.syslog is not None and cfg.syslog.facility == "local3"
    assert cfg.sweep["ports"] == "80,554"


def test_readme_documents_every_key() -> None:
    from scanner.config import KEYS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Configuration file") :].split("\n## ")[0]
    missing = [f"{s}.{k}" for s, keys in KEYS.items() for k in keys if f"`{k}`" not in section]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[site]\nnmae = 'x'\n", "site.nmae: unknown key"),
        ("[sites]\n", "unknown section [sites]"),
        ("[store]\nkeep_days = 'long'\n", "store.keep_days: expected an integer"),
        ("[watch]\ninterval = '1h'\ncron = '* * * * *'\n", "interval or cron, not both"),
        ("[watch]\ncron = '61 * * * *'\n", "bad minute field"),
        ("[watch]\nmin_severity = 'urgent'\n", "watch.min_severity: 'urgent' is not one of"),
        ("[alerts.webhook]\nurl = 'ftp://x'\n", "must be an http(s) URL"),
        ("[alerts.email]\nhost = 'h'\n", "alerts.email.from: required"),
        ("[alerts.webhook]\nurl='https://x'\nsecret = 'inline'\n", "webhook.secret: unknown key"),
        ("not toml = = 1", "not valid TOML"),
    ],
)
def test_mistakes_are_named_by_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        load_config(_write(tmp_path, text))
    assert str(err.value).startswith(str(tmp_path / "biosweep.toml"))


def test_secrets_come_from_private_files_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = load_config(_write(tmp_path, FULL))
    assert cfg.webhook is not None and cfg.webhook.secret is not None
    secret_file = tmp_path / "webhook.secret"
    secret_file.write_text("hunter2\n")
    secret_file.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others; chmod 600"):
        cfg.webhook.secret.load("webhook")
    secret_file.chmod(0o600)
    secret = cfg.webhook.secret.load("webhook")
    assert secret.reveal() == "hunter2"
    assert "hunter2" not in repr(secret) + str(secret) + repr(cfg)
    assert cfg.email is not None and cfg.email.password is not None
    with pytest.raises(ConfigError, match="BIOSWEEP_SMTP_PASSWORD is not set"):
        cfg.email.password.load("smtp")
    monkeypatch.setenv("BIOSWEEP_SMTP_PASSWORD", "pw")
    assert isinstance(cfg.email.password.load("smtp"), Secret)


def test_no_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BIOSWEEP_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    cfg = load_config()
    if cfg.source is None:  # /etc/biosweep/biosweep.toml may exist on a site server
        assert cfg.keep_days == 180 and cfg.min_severity is Severity.HIGH
        assert cfg.schedule.interval == 3600
