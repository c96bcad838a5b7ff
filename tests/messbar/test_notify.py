"""Failure reporting (issue 5, item 5): a failed run e-mails the owner what broke and what to do.

A real SMTP server (aiosmtpd) on loopback and a random port receives the mail; the failures
are real: an expired token in the sandbox fails the extraction, through ``messbar run``'s code
path (``pipeline.run_nightly``) and through a real Airflow DAG run's failure callback.
"""

import email
import email.policy
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

import sandbox
from extractors.core.errors import InvalidMetric, TokenError
from messbar import pipeline
from messbar.config import ConfigError, load_config
from messbar.notify import describe_failure, notify_failure

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
CANARY = "EAAGnotifyCANARYtoken5550001112223334CANARY"
SMTP_USER = "messbar-alerts"
SMTP_PASSWORD = "smtp-secret-pw-7788"


class Mailbox:
    """aiosmtpd handler that keeps every message and checks the login."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg, envelope.original_content))
        return "250 OK"

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (SMTP_USER, SMTP_PASSWORD)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    box = Mailbox()
    port = free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        authenticator=box,
        auth_require_tls=False,  # loopback test server without a certificate
        auth_required=True,
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def write_config(tmp: Path, url: str, port: int, *, extra_alerts: str = "") -> Path:
    path = tmp / "messbar.yml"
    path.write_text(
        f"""
data_dir: {tmp / "data"}
networks:
  facebook:
    base_url: {url}/facebook
alerts:
  email:
    host: 127.0.0.1
    port: {port}
    starttls: false
    from: messbar@example.org
    to: [owner@example.org, agency@example.org]
    username: env:MESSBAR_TEST_SMTP_USER
    password: env:MESSBAR_TEST_SMTP_PASSWORD
    timeout: 10{extra_alerts}
businesses:
  - slug: baeckerei-sonnenschein
    name: Bäckerei Sonnenschein
    accounts:
      facebook:
        - account_id: "1000000001"
          token: env:MESSBAR_NOTIFY_TOKEN
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("MESSBAR_NOTIFY_TOKEN", CANARY)
    monkeypatch.setenv("MESSBAR_TEST_SMTP_USER", SMTP_USER)
    monkeypatch.setenv("MESSBAR_TEST_SMTP_PASSWORD", SMTP_PASSWORD)


def test_expired_token_in_messbar_run_mails_the_owner(tmp_path, smtp, env):
    box, port = smtp
    with sandbox.serve(now=NOW, expired_tokens=[CANARY]) as sb:
        cfg = load_config(write_config(tmp_path, sb.url, port))
        with pytest.raises(TokenError):
            pipeline.run_nightly(cfg, NOW, "scheduled__expired")
    assert len(box.messages) == 1
    rcpt, msg, raw = box.messages[0]
    assert rcpt == ["owner@example.org", "agency@example.org"]
    assert box.logins == [SMTP_USER]
    body = msg.get_content()
    assert "Facebook" in msg["Subject"] and "1000000001" in msg["Subject"]
    for words in ("1000000001", "Bäckerei Sonnenschein", "env:MESSBAR_NOTIFY_TOKEN", "new token"):
        assert words in body, words
    assert CANARY.encode() not in raw and SMTP_PASSWORD.encode() not in raw
    assert not cfg.published_path.exists()  # nothing was published


def test_each_cause_gets_its_own_plain_message():
    retired = describe_failure(
        InvalidMetric(
            "facebook account 1000000001: /v25.0/1000000001/insights: (#100) The value must "
            "be a valid insights metric: page_impressions was retired",
            network="facebook",
        ),
        step="extract",
    )
    assert retired.cause == "retired_metric"
    assert "metric_registry__facebook.csv" in retired.body
    gate = describe_failure(
        pipeline.GateFailed(
            "Quality gate failed; the published file was left unchanged.\n"
            "marts.fct_posts: expect_column_values_to_be_unique(post_key) failed, "
            "sample keys: ['p1']"
        ),
        step="validate",
    )
    assert gate.cause == "quality_gate"
    assert "marts.fct_posts" in gate.body and "expect_column_values_to_be_unique" in gate.body
    other = describe_failure(
        RuntimeError("dbt build failed: token=abc123secret in a message"),
        step="transform",
        run_id="r1",
    )
    assert other.cause == "other" and "transform" in other.subject
    assert "abc123secret" not in other.body  # defence in depth: secret-looking values masked


def test_unreachable_smtp_server_only_logs(tmp_path, env, caplog):
    cfg = load_config(write_config(tmp_path, "http://127.0.0.1:9", free_port()))
    alert = notify_failure(cfg, RuntimeError("boom"), step="load")
    assert alert.cause == "other"
    assert "Could not send the failure alert" in caplog.text
    assert SMTP_PASSWORD not in caplog.text


def test_alert_settings_are_validated(tmp_path):
    path = write_config(tmp_path, "http://127.0.0.1:9", 2525)
    text = path.read_text()
    cases = [
        (text.replace("env:MESSBAR_TEST_SMTP_PASSWORD", "hunter2"), "env:VARIABLE or conn:"),
        (text.replace("[owner@example.org, agency@example.org]", "[]"), "list of e-mail"),
        (text.replace("port: 2525", "port: 99999"), "port number"),
        (text.replace("    host: 127.0.0.1\n", ""), "needs host"),
        (text.replace("    timeout: 10", "    timeout: 10\n    tls: true"), "unknown key"),
    ]
    for bad, words in cases:
        path.write_text(bad)
        with pytest.raises(ConfigError, match=words):
            load_config(path)
    path.write_text(text.replace("alerts:", "alerts_off:").replace("  email:", "  x:"))
    with pytest.raises(ConfigError):
        load_config(path)


@pytest.mark.slow
@pytest.mark.xdist_group("notify_dag")
def test_failed_dag_run_mails_through_the_failure_callback(tmp_path, smtp, env):
    from messbar.airflow_local import airflow_env, dags_test, prepare

    box, port = smtp
    with sandbox.serve(now=NOW, expired_tokens=[CANARY]) as sb:
        config = write_config(tmp_path, sb.url, port)
        run_env = airflow_env(tmp_path / "airflow", {"MESSBAR_CONFIG": str(config)})
        run_env.pop("MESSBAR_DATA_DIR", None)
        prepare(tmp_path / "airflow", run_env)
        proc = dags_test(run_env, NOW.isoformat())
    output = proc.stdout + proc.stderr
    assert len(box.messages) == 1, output[-3000:]
    _, msg, raw = box.messages[0]
    assert "1000000001" in msg["Subject"]
    assert "expired or was revoked" in msg.get_content()
    assert CANARY.encode() not in raw
    assert CANARY not in output
    assert not (tmp_path / "data" / "published" / "messbar.duckdb").exists()
    assert os.environ.get("MESSBAR_NOTIFY_TOKEN") == CANARY
