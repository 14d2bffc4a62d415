"""``yiju serve`` (the review workspace) and ``yiju users …`` (its accounts)."""

from __future__ import annotations

import sys

import click

from config.glossary import names
from registry import users as user_store
from yiju.app import UserError, actor, emit_json, info

ROLE_NAMES = names("web_role")


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except user_store.AccessError as exc:
        raise UserError(str(exc)) from exc


def signin_url(settings, token: str) -> str:
    return f"{settings.web.base_url.rstrip('/')}/s/{token}"


def register(cli: click.Group) -> None:
    @cli.command("serve")
    @click.option("--host", metavar="HOST", help="监听地址（默认 [web] host，即 127.0.0.1）")
    @click.option("--port", type=int, metavar="PORT", help="监听端口（默认 [web] port，即 8080）")
    @click.pass_obj
    def serve_cmd(app, host, port):
        """运行审核工作台（网页），各部门和法制机构在浏览器中处理提示。"""
        from yiju.web import serve  # start-up: Flask and waitress load only for this command

        web = app.settings.web
        info(f"审核工作台：{web.base_url}（监听 {host or web.host}:{port or web.port}，Ctrl+C 停止）")
        _call(serve, app.settings, host=host, port=port)

    @cli.group("users")
    def users_cmd():
        """审核工作台的账号：法制机构（legal）和管理员（admin）；部门审核人由已导入的部门和人员自动生成。"""

    @users_cmd.command("add")
    @click.argument("email")
    @click.option("--name", metavar="NAME", help="姓名（默认为邮箱）")
    @click.option("--role", type=click.Choice(["legal", "admin"]), default="legal", show_default=True,
                  help="legal 法制机构 / admin 管理员")
    @click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（不设密码则只能用登录链接）")
    @click.option("--by", metavar="NAME", help="操作人（默认为当前系统用户）")
    @click.pass_obj
    def users_add(app, email, name, role, password_stdin, by):
        """添加法制机构或管理员账号。"""
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        user_id = _call(user_store.add_user, app.db, email=email, name=name or email, role=role, password=password,
                        by=actor(by))
        click.echo(f"已添加账号 #{user_id} {email}（{ROLE_NAMES[role]}）" + ("，已设置密码" if password else "，无密码（用 yiju users link 发登录链接）"))

    @users_cmd.command("list")
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON")
    @click.pass_obj
    def users_list(app, as_json):
        """列出全部账号（含自动生成的部门审核人）。"""
        rows = user_store.list_users(app.db)
        if as_json:
            emit_json(rows)
            return
        if not rows:
            click.echo("还没有账号。用 yiju users add 添加法制机构账号。")
        for u in rows:
            where = u["department"] or ROLE_NAMES.get(u["role"], u["role"])
            state = f"已停用 {u['disabled_at'][:10]}" if u["disabled_at"] else (
                f"最近登录 {u['last_signin_at'][:10]}" if u["last_signin_at"] else "从未登录")
            click.echo(f"#{u['id']} {u['email']}  {u['name']}  {where}"
                       + ("  有密码" if u["has_password"] else "") + f"  {state}")

    @users_cmd.command("disable")
    @click.argument("email")
    @click.option("--by", metavar="NAME", help="操作人（默认为当前系统用户）")
    @click.pass_obj
    def users_disable(app, email, by):
        """停用该邮箱的账号：其登录链接和会话随即失效。"""
        n = _call(user_store.disable_user, app.db, email, by=actor(by))
        click.echo(f"已停用 {email} 的账号 {n} 个。")

    @users_cmd.command("link")
    @click.argument("email")
    @click.option("--department", metavar="D", help="以该部门审核人身份登录（部门须已导入）")
    @click.option("--days", type=int, metavar="N", help="有效天数（默认 [web] link_days）")
    @click.pass_obj
    def users_link(app, email, department, days):
        """生成一次性登录链接（法制机构账号，或 --department 指定部门的审核人）。"""
        db, web = app.db, app.settings.web
        secret = web.secret()
        if department:
            from impact.flags import FlagError, department_id  # start-up: loaded when the command runs
            try:
                dep = department_id(db, department)
            except FlagError as exc:
                raise UserError(str(exc)) from exc
            user_id = _call(user_store.department_user, db, dep, email=email, name=email)
        else:
            u = user_store.find_user(db, email)
            if not u or u["role"] not in ("legal", "admin") or u["disabled_at"]:
                raise UserError(f"没有邮箱为 {email} 的有效法制机构账号（部门审核人请加 --department）")
            user_id = u["id"]
        token = _call(user_store.issue_link, db, secret, user_id, "/", days=days or web.link_days, purpose="cli")
        click.echo(signin_url(app.settings, token))
