"""``yiju proposals`` (拟新增职权: powers a law gives a department that its list lacks),
``yiju proposals accept|decline|approve|return``, ``yiju proposals coverage`` and ``yiju departments domains``.

The console is the legal office's (as ``yiju flags resolve``): ``accept`` and ``decline`` act at
once; ``approve`` and ``return`` sign off what a department submitted in the review workspace.

Everything printed is for legal staff, so it is Chinese; ``--json`` prints one JSON document.
"""

from __future__ import annotations

import click

from config.glossary import names
from yiju.app import UserError, actor, emit_json, info

STATE_LABELS = names("proposal_state")
STATE_CHOICES = (*STATE_LABELS, "all")


def _props():
    from impact import proposals  # start-up: loaded when a proposals command runs
    return proposals


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except _props().ProposalError as exc:
        raise UserError(str(exc)) from exc


def _print(rows: list[dict]) -> None:
    names = _props().STATE_NAMES
    if not rows:
        click.echo("没有符合条件的拟新增职权。")
        return
    current = None
    for p in rows:
        if (p["department"], p["law"]) != current:
            current = (p["department"], p["law"])
            n = sum(1 for r in rows if (r["department"], r["law"]) == current)
            click.echo(f"{p['department']} ·《{p['law']}》（{n} 项）")
        due = f"  期限 {p['due']}" if p["due"] else ""
        click.echo(f"  #{p['id']} [{p['type']}] {names.get(p['state'], p['state'])}{due}")
        click.echo(f"      名称：{p['name']}")
        click.echo(f"      依据：{p['basis_text']}")
        click.echo(f"      实施机关：{p['authority']}" + ("（与其他部门按照职责分工共同行使）" if p["shared"] else "")
                   + (f"  措施：{'、'.join(p['measures'])}" if p["measures"] else ""))
        d = p.get("decision")
        if p["state"] in ("submitted", "returned") and d:
            decided = (f"采纳，岗位：{d['post']}" + (f"，职权名称：{d['name']}" if d.get("name") else "")
                       if d["action"] == "accept" else f"不采纳，理由：{d['reason']}")
            click.echo(f"      部门意见：{decided}（{p['proposed_by']}，{(p['proposed_at'] or '')[:10]}）")
        if p["state"] == "returned" and p.get("review_note"):
            click.echo(f"      退回理由：{p['review_note']}（{p['reviewed_by']}）")
        if p["reason"]:
            click.echo(f"      理由：{p['reason']}")
        if p["duty_id"]:
            click.echo(f"      已加入清单：职权 [{p['duty_id']}]")


_BY = click.option("--by", metavar="NAME", help="操作人（默认为当前系统用户）")
_JSON = click.option("--json", "as_json", is_flag=True, help="输出 JSON")


def _accepted(p: dict, post: str) -> str:
    return f"已采纳：职权 [{p['duty_id']}]「{p['name']}」已加入{p['department']}的清单，岗位：{post}。"


def _done(p: dict, as_json: bool, line: str) -> None:
    """What an action on one proposal prints: its JSON object (as ``yiju proposals --json`` lists it) or a line."""
    if as_json:
        emit_json(_props().to_json(p))
    else:
        click.echo(line)


def register(cli: click.Group) -> None:
    @cli.group("proposals", invoke_without_command=True)
    @click.option("--department", metavar="D", help="只看该部门")
    @click.option("--law", metavar="TITLE", help="只看该法律（全称或不带“中华人民共和国”的名称）")
    @click.option("--state", type=click.Choice(STATE_CHOICES), default="open", show_default=True,
                  help="状态：" + "、".join(f"{code} {label}" for code, label in STATE_LABELS.items()) + "、all 全部")
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON（对象数组）")
    @click.pass_context
    def proposals(ctx, department, law, state, as_json):
        """拟新增职权：部门执行的法律中，清单尚未覆盖的职权（先按现行文本重新核对，再列出）。"""
        if ctx.invoked_subcommand is not None:
            return
        app = ctx.obj
        props = _props()
        _call(props.refresh, app.db)       # an upgrade's new reading is baseline, not news
        _call(props.generate, app.db, department=department, law=law)
        rows = _call(props.list_proposals, app.db, department=department, law=law,
                     state=None if state == "all" else state)
        if as_json:
            emit_json([props.to_json(p) for p in rows])
        else:
            _print(rows)

    @proposals.command("accept")
    @click.argument("proposal_id", type=int)
    @click.option("--post", required=True, metavar="P", help="承担该职权的执法岗位")
    @click.option("--name", metavar="N", help="职权名称（默认用建议名称）")
    @_BY
    @_JSON
    @click.pass_obj
    def accept(app, proposal_id, post, name, by, as_json):
        """采纳拟新增职权：加入部门权责清单并分配到岗位，依据立即核对（法制机构，立即生效）。"""
        p = _call(_props().accept, app.db, proposal_id, post, actor(by), name=name)
        _done(p, as_json, f"拟新增职权 #{proposal_id} " + _accepted(p, post))

    @proposals.command("decline")
    @click.argument("proposal_id", type=int)
    @click.option("--reason", required=True, metavar="R", help="不采纳的理由")
    @_BY
    @_JSON
    @click.pass_obj
    def decline(app, proposal_id, reason, by, as_json):
        """不采纳拟新增职权（须说明理由），以后不再提出（法制机构，立即生效）。"""
        p = _call(_props().decline, app.db, proposal_id, reason, actor(by))
        _done(p, as_json, f"拟新增职权 #{proposal_id} 不采纳，理由：{reason}")

    @proposals.command("approve")
    @click.argument("proposal_id", type=int)
    @_BY
    @_JSON
    @click.pass_obj
    def approve(app, proposal_id, by, as_json):
        """审核通过部门提交的采纳或不采纳（法制机构）：采纳的即加入清单并分配到部门所填岗位。"""
        p = _call(_props().approve, app.db, proposal_id, by=actor(by))
        _done(p, as_json, f"拟新增职权 #{proposal_id} 审核通过，" + (
            _accepted(p, p["decision"]["post"]) if p["state"] == "accepted" else f"不采纳，理由：{p['reason']}"))

    @proposals.command("return")
    @click.argument("proposal_id", type=int)
    @click.option("--reason", required=True, metavar="R", help="退回理由（必填，部门将看到）")
    @_BY
    @_JSON
    @click.pass_obj
    def return_cmd(app, proposal_id, reason, by, as_json):
        """把部门提交的采纳或不采纳退回部门重新处理（法制机构），须说明理由。"""
        p = _call(_props().return_proposal, app.db, proposal_id, reason=reason, by=actor(by))
        _done(p, as_json, f"拟新增职权 #{proposal_id} 已退回部门，理由：{reason}")

    @proposals.command("coverage")
    @click.option("--department", metavar="D", help="只看该部门")
    @click.option("--law", metavar="TITLE", help="只看该法律")
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON")
    @click.pass_obj
    def coverage(app, department, law, as_json):
        """清单完整度：每个部门执行的每部法律中，清单已覆盖的职权所占比例，并列出未覆盖的职权。"""
        rows = _call(_props().coverage, app.db, department=department, law=law)
        if as_json:
            emit_json([{"department": c.department, "law": c.law, "powers": c.powers, "covered": c.covered,
                        "share": c.share, "uncovered": c.uncovered} for c in rows])
            return
        if not rows:
            click.echo("没有部门执行的法律中含有可识别的职权。")
        for c in rows:
            share = "—" if c.share is None else f"{c.share * 100:.1f}%"
            click.echo(f"{c.department} ·《{c.law}》：职权 {c.powers} 项，清单已覆盖 {c.covered} 项（{share}）")
            for u in c.uncovered:
                click.echo(f"    未覆盖 {u['basis']} [{u['type']}] {u['name']}")

    departments = cli.commands.get("departments")
    if departments is None:  # pragma: no cover - the duties commands register it
        return

    @departments.command("domains")
    @click.argument("department")
    @click.option("--set", "domains", metavar="A,B", help="主管领域，逗号分隔（如 生态环境,海洋）")
    @click.option("--level", metavar="L", help="层级：国家、省级、设区的市级、县级")
    @click.option("--reset", is_flag=True, help="恢复按部门名称推断")
    @click.option("--by", metavar="NAME", help="操作人（默认为当前系统用户）")
    @click.pass_obj
    def domains_cmd(app, department, domains, level, reset, by):
        """查看或设置部门的主管领域与层级（决定法律条文中的哪些执法机关是本部门）。"""
        props = _props()
        if reset or domains is not None or level is not None:
            chosen = None if reset else [d.strip() for d in (domains or "").replace("，", ",").split(",")
                                          if d.strip()] or None
            holder = _call(props.set_domains, app.db, department, chosen, None if reset else level, by=actor(by))
        else:
            holder = next((h for h in props.holders(app.db) if h.name == department), None)
            if holder is None:
                raise UserError(f"没有名为“{department}”的部门")
        click.echo(f"{holder.name}：主管领域 {'、'.join(holder.domains) or '（未知）'}；层级 {holder.level or '（未知）'}")
        if not holder.domains:
            info("提示：没有主管领域的部门不会收到拟新增职权，用 --set 设置。")
