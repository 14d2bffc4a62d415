"""SMTP over STARTTLS and SSL with login, against a real server with a certificate made in the test."""

from __future__ import annotations

import pathlib
import ssl
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent / "tools"))

from notify_smtp import Authenticator, self_signed, server_context, smtp_server  # noqa: E402

from config.settings import MailSettings  # noqa: E402
from notify import outbox  # noqa: E402
from notify.deliver import send_pending  # noqa: E402

PASSWORD_ENV = "YIJU_TEST_SMTP_PASSWORD"


@pytest.fixture
def cert(tmp_path):
    return self_signed(tmp_path)


@pytest.fixture
def queued(db):
    outbox.queue(db, run_id=None, kind="digest", recipient="fzb@example.gov.cn", recipient_name="法制科",
                 subject="【执法依据变动日报】测试", body_text="《中华人民共和国行政处罚法》第四十五条",
                 body_html="<p>《中华人民共和国行政处罚法》第四十五条</p>", sender="yiju@example.gov.cn")


def settings(port: int, security: str, **extra) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security=security, username="yiju",
                        password_env=PASSWORD_ENV, timeout=5.0, **extra)


def trusting(cert_path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert_path))


def test_starttls_with_login_delivers(db, queued, cert):
    cert_path, key_path = cert
    with smtp_server(tls_context=server_context(cert_path, key_path), require_starttls=True,
                     authenticator=Authenticator("yiju", "s3cret"), auth_require_tls=True) as (server, port):
        report = send_pending(db, settings(port, "starttls"), ssl_context=trusting(cert_path),
                              environ={PASSWORD_ENV: "s3cret"})
    assert report.ok and len(server.messages) == 1
    msg = server.messages[0]["message"]
    assert msg["Subject"] == "【执法依据变动日报】测试"
    assert "第四十五条" in msg.get_body(("plain",)).get_content()


def test_ssl_with_login_delivers(db, queued, cert):
    cert_path, key_path = cert
    with smtp_server(ssl_context=server_context(cert_path, key_path),
                     authenticator=Authenticator("yiju", "s3cret"), auth_require_tls=False) as (server, port):
        report = send_pending(db, settings(port, "ssl"), ssl_context=trusting(cert_path),
                              environ={PASSWORD_ENV: "s3cret"})
    assert report.ok and server.messages[0]["rcpt_tos"] == ["fzb@example.gov.cn"]


def test_wrong_password_missing_password_and_untrusted_certificate_keep_the_message(db, queued, cert):
    cert_path, key_path = cert
    with smtp_server(tls_context=server_context(cert_path, key_path), require_starttls=True,
                     authenticator=Authenticator("yiju", "s3cret"), auth_require_tls=True) as (server, port):
        wrong = send_pending(db, settings(port, "starttls"), ssl_context=trusting(cert_path),
                             environ={PASSWORD_ENV: "guess"}, ignore_backoff=True)
        assert "登录被拒绝" in wrong.server_error
        missing = send_pending(db, settings(port, "starttls"), ssl_context=trusting(cert_path),
                               environ={}, ignore_backoff=True)
        assert PASSWORD_ENV in missing.server_error
        untrusted = send_pending(db, settings(port, "starttls"), environ={PASSWORD_ENV: "s3cret"},
                                 ignore_backoff=True)   # the system CAs do not know this certificate
        assert "TLS" in untrusted.server_error or "certificate" in untrusted.server_error
    assert server.messages == []
    (row,) = outbox.listing(db)
    assert row["state"] == "pending" and row["attempts"] == 3
