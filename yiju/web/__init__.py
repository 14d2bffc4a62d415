"""The review workspace (``yiju serve``): web pages where departments and the legal office act on flags.

Flask (server-rendered Jinja2, no build step, no CDN: every asset is in ``static/``) served by
waitress. The pages call the flag workflow of ``impact.flags`` (which writes the audit log) and
read through ``registry.web`` and ``registry.users``; this package holds no SQL.

``create_app(settings)`` builds the application; ``serve(settings)`` runs it.
"""

from __future__ import annotations

import datetime as _dt

import waitress
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config.settings import Settings
from registry.schema import connect
from registry.users import AccessError
from yiju.web import auth, common, exports, pages


def create_app(settings: Settings, *, secret: str | None = None) -> Flask:
    """The workspace for ``settings`` (its registry is migrated once here)."""
    secret = secret or settings.web.secret()
    if not secret or len(secret) < 16:
        raise AccessError(f"工作台签名密钥未设置：请在环境变量 {settings.web.secret_env} 中设置至少 16 个字符的随机字符串"
                          "（例如 python3 -c 'import secrets; print(secrets.token_urlsafe(32))' 的输出）")
    connect(settings.registry.path).close()
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        SECRET_KEY=secret,
        YIJU_SETTINGS=settings,
        SESSION_COOKIE_NAME="yiju_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.web.secure,
        PERMANENT_SESSION_LIFETIME=_dt.timedelta(hours=12),
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        JSON_AS_ASCII=False,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    common.init_app(app)
    auth.init_app(app)
    pages.init_app(app)
    exports.init_app(app)
    if settings.web.proxies:
        # behind nginx: the client's address (failed sign-ins are counted per client) and scheme
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.web.proxies, x_proto=settings.web.proxies,
                                x_host=settings.web.proxies)
    return app


def serve(settings: Settings, *, host: str | None = None, port: int | None = None, secret: str | None = None) -> None:
    """Run the workspace with waitress until interrupted."""
    app = create_app(settings, secret=secret)
    waitress.serve(app, host=host or settings.web.host, port=port or settings.web.port,
                   threads=settings.web.threads, ident="yiju")
