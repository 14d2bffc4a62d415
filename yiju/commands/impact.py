"""``yiju impact``, ``yiju flags …`` (the re-decomposition workflow) and ``yiju report``.

Everything printed here is for legal staff and departments, so it is Chinese; ``--json``
prints one JSON document and nothing else.
"""

from __future__ import annotations

import click

from config.glossary import name, names, with_names, word
from texts.provisions import cited_provision
from impact import flags as flag_store
from yiju.app import UserError, actor, emit_json, info

_BY_HELP = "操作人（默认为当前系统用户）"


def _call(fn, *args, **kwargs):
    """Run a workflow step, turning its errors into a one-line Chinese error (exit 2)."""
    try:
        return fn(*args, **kwargs)
    except flag_store.FlagError as exc:
        raise UserError(str(exc)) from exc


def _where(flag: dict) -> str:
    return cited_provision(flag, whole_law="（整部法律）")


def _due(flag: dict) -> str:
    if not flag["due"]:
        return ""
    return f"期限 {flag['due']}" + ("（已逾期）" if flag["overdue"] else "")


def _diff_line(ops) -> str:
    """diff-match-patch operations as one line: [-deleted-] {+inserted+}."""
    out = []
    for op, text in ops or []:
        out.append(text if op == 0 else (f"[-{text}-]" if op < 0 else f"{{+{text}+}}"))
    return "".join(out)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in (text or "").splitlines())


def _names(flag: dict) -> dict:
    """A flag with the Chinese names beside its codes (state_name and severity_name it has)."""
    return with_names(flag, change_kind="change_kind", field="citation_field")


def _detail_names(d: dict) -> dict:
    _names(d)
    with_names(d["change"], kind="change_kind")
    with_names(d["article_change"], status="article_status", substance="substance")
    with_names(d["citation_detail"], resolution="resolution", field="citation_field")
    for h in d["history"]:
        with_names(h, action="audit_action")
    return d


def _correction(c: dict) -> str:
    """What a corrected flag said before (impact/realign.py), as the digest and alerts say it."""
    severity = flag_store.SEVERITY_NAMES.get(c.get("severity"), c.get("severity"))
    return f"此前通知此项为【{severity}】“{c.get('reason')}”，该结论有误，已按改进后的条文比对更正（不是新的法律变化）"


def _severity_move(detail: dict) -> str:
    before, after = detail.get("from") or {}, detail.get("to") or {}
    names = flag_store.SEVERITY_NAMES
    if after.get("state") == "dismissed":
        return f"{names.get(before.get('severity'), '')} → 驳回（{after.get('note', '')}）"
    return f"{names.get(before.get('severity'), '')} → {names.get(after.get('severity'), '')}"


def print_flags(rows: list[dict]) -> None:
    if not rows:
        click.echo("没有符合条件的提示。")
        return
    department = None
    for f in rows:
        if f["department"] != department:
            department = f["department"]
            mine = [r for r in rows if r["department"] == department]
            overdue = sum(r["overdue"] for r in mine)
            click.echo(f"{department}（{len(mine)} 项" + (f"，其中逾期 {overdue} 项" if overdue else "") + "）")
        click.echo(f"  #{f['id']} [{f['severity_name']}] {f['state_name']}  {_due(f)}")
        click.echo(f"      职权：{f['duty_name']}" + (f"（{f['duty_code']}）" if f["duty_code"] else "")
                   + (f"  岗位：{f['post']}" if f["post"] else ""))
        click.echo(f"      引用：{_where(f)}")
        click.echo(f"      原因：{f['reason']}")
        if f.get("correction"):
            click.echo(f"      更正：{_correction(f['correction'])}")
        advice = flag_store.suggestion_text(f)
        if advice:
            click.echo(f"      建议：{advice}")


def print_detail(d: dict) -> None:
    duty, cit, change = d["duty"], d["citation_detail"], d["change"]
    click.echo(f"提示 #{d['id']}  [{d['severity_name']}]  {d['state_name']}  {_due(d)}")
    click.echo(f"部门：{d['department']}" + (f"  岗位：{d['post']}" if d["post"] else ""))
    click.echo(f"职权：[{duty['id']}] {duty['name']}" + (f"（编码 {duty['code']}）" if duty["code"] else "")
               + f"  第 {duty['version']} 版" + ("" if duty["is_current"] else "（已不是现行版本）"))
    field = "penalty_basis_text" if cit["field"] == "penalty_basis" else "basis_text"
    click.echo(("处罚依据" if field == "penalty_basis_text" else "依据") + "原文：")
    click.echo(_indent(duty[field] or ""))
    version = f"（按 {cit['version_date']} 版本）" if cit.get("version_date") else ""
    click.echo(f"所引条文：{cit['raw']}  →  {_where(d)}{version}")
    click.echo(f"发生的变化：{d['reason']}")
    if d.get("correction"):
        click.echo(f"更正：{_correction(d['correction'])}")
    for a in d["old_articles"]:
        when = f"（{change['old_date']} 版）" if change.get("old_date") and d["article_change"] else ""
        click.echo(f"原条文 {a['label']}{when}：")
        click.echo(_indent(a["text"]))
    for a in d["new_articles"]:
        when = f"（{change['new_date']} 版）" if change.get("new_date") else ""
        click.echo(f"新条文 {a['label']}{when}：")
        click.echo(_indent(a["text"]))
    ac = d["article_change"]
    if ac and ac["status"] == "modified" and ac["diff"]:
        click.echo("修改对照（[-删除-] {+新增+}）：")
        click.echo(_indent(_diff_line(ac["diff"])))
    advice = flag_store.suggestion_text(d)
    if advice:
        click.echo(f"建议：{advice}")
    for i, c in enumerate(d["suggestion"].get("candidates") or [], 1):
        click.echo(f"  候选 {i}. {c['label']}（相似度 {c['score']}）：{c['text']}")
    if d["history"] or d["closing_note"]:
        click.echo("处理记录：")
        for h in d["history"]:
            click.echo(f"  {h['at']}  {h['actor']}  {name('audit_action', h['action'])}"
                       + (f"：{h['detail'].get('reason')}" if h["detail"].get("reason") else "")
                       + (f"：{_severity_move(h['detail'])}" if h["action"] == "flag.correct" else ""))
        if d["closing_note"]:
            click.echo(f"  结论：{d['closing_note']}")
    if d["state"] in flag_store.ACTIVE:
        click.echo("如何处理：")
        if d["state"] == "open":
            click.echo(f"  yiju flags ack {d['id']}                      # 确认已收到、正在处理")
        click.echo(f"  yiju flags resolve {d['id']} --basis \"修改后的依据全文\"")
        click.echo(f"  yiju flags dismiss {d['id']} --reason \"无需修改的理由\"")


def upgrade_lines(result: dict) -> list[str]:
    """What an impact pass after an upgrade did again (glossary ``[upgrade]``): changes aligned
    again and their flags corrected; every law's powers read again as a baseline.

    >>> upgrade_lines({"realigned": {"changes": 0}, "proposals": {"reread": 45}})[0].split('（')[0]
    '按改进后的职权识别规则重新核对全部法律：新识别出清单未覆盖的职权 45 项'
    """
    out = []
    realigned = result.get("realigned") or {}
    if realigned.get("changes"):
        out.append(name("upgrade", "realigned").format(**{"corrected": 0, "closed": 0, "new_flags": 0, **realigned}))
    reread = (result.get("proposals") or {}).get("reread")
    if reread is not None:
        out.append(name("upgrade", "reread").format(reread=reread))
    return out


def print_impact(result: dict) -> None:
    sev = result["by_severity"]
    names = flag_store.SEVERITY_NAMES
    click.echo(f"处理法律变化 {result['changes']} 项，新增提示 {result['flags']} 项"
               + (f"（{'，'.join(f'{names[k]} {v}' for k, v in sev.items() if v)}），涉及职权 {result['duties']} 项"
                  if result["flags"] else ""))
    for c in result["per_change"]:
        if c["flags"]:
            click.echo(f"  《{c['law']}》：{c['flags']} 项")
    for line in upgrade_lines(result):
        click.echo(line)
    carried = result.get("carried_over") or {}
    if carried.get("resolved") or carried.get("moved"):
        click.echo(f"职权新版本：关闭已修正的提示 {carried['resolved']} 项，转入新版本 {carried['moved']} 项")
    if result["unresolved_citations"]:
        click.echo(f"另有 {result['unresolved_citations']} 条依据引用无法识别（引用了未登记的法规或写法有误），"
                   "见 yiju duties")


def print_report(report: dict) -> None:
    rows = report["departments"]
    if not rows:
        click.echo("登记库中还没有部门。")
        return
    click.echo(f"各部门执法依据情况（截至 {report['as_of']}）")
    for r in [*rows, report["total"]]:
        o = r["open_flags"]
        share = "—" if r["share_all_current"] is None else f"{r['share_all_current'] * 100:.1f}%"
        median = "—" if r["median_days_to_resolution"] is None else f"{r['median_days_to_resolution']} 天"
        click.echo(
            f"{r['department']}：职权 {r['duties']} 项，依据引用 {r['citations']} 条"
            f"（{name('resolution', 'unresolved')} {r['unresolved_citations']}，{name('resolution', 'stale')} {r['stale_citations']}）；"
            f"待处理提示 {o['total']} 项（{'，'.join(f'{n} {o[k]}' for k, n in names('severity').items())}），"
            f"逾期 {r['overdue_flags']} 项；已解决 {r['resolved_flags']} 项，中位用时 {median}；"
            f"依据全部现行的职权 {r['duties_all_current']} 项，占 {share}")
        cov = r.get("coverage")
        if cov and cov["powers"]:
            click.echo(f"    {word('coverage')}：法律授予的职权 {cov['powers']} 项，清单已覆盖 {cov['covered']} 项"
                       f"（{cov['share'] * 100:.1f}%），{word('proposal')}待处理 {r['open_proposals']} 项")
            for law in cov.get("laws", []):
                if law["powers"]:
                    click.echo(f"      《{law['law']}》{law['covered']}/{law['powers']}"
                               + (f"，未覆盖：{'；'.join(u['basis'].split('》')[-1] for u in law['uncovered'][:10])}"
                                  + ("……" if len(law["uncovered"]) > 10 else "") if law["uncovered"] else ""))


def register(cli: click.Group) -> None:
    @cli.command("impact")
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON")
    @click.pass_obj
    def impact_cmd(app, as_json):
        """找出受尚未处理的法律变化影响的职权，生成提示（可重复运行，不会重复生成）。"""
        from impact.process import run_impact  # start-up: loaded when the command runs

        result = run_impact(app.db)
        if as_json:
            emit_json(result)
        else:
            print_impact(result)

    @cli.group("flags", invoke_without_command=True)
    @click.option("--department", metavar="D", help="只列出该部门的提示")
    @click.option("--state", metavar="S", default="active", show_default=True,
                  help="按状态列出：" + " / ".join(f"{code} {name('flag_state', code)}" for code in flag_store.STATES)
                  + f" / active {name('flag_state_group', 'active')}（未办结的）/ all {name('flag_state_group', 'all')}")
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON")
    @click.pass_context
    def flags_cmd(ctx, department, state, as_json):
        """列出需要重新梳理的职权提示；子命令处理单个提示。"""
        if ctx.invoked_subcommand is not None:
            return
        rows = [_names(f) for f in _call(flag_store.list_flags, ctx.obj.db, department=department, state=state)]
        if as_json:
            emit_json(rows)
        else:
            print_flags(rows)

    @flags_cmd.command("show")
    @click.argument("flag_id", type=int)
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON")
    @click.pass_obj
    def show_cmd(app, flag_id, as_json):
        """显示提示详情：职权、所引条文、新旧条文与修改对照、处理建议。"""
        detail = _detail_names(_call(flag_store.flag_detail, app.db, flag_id))
        if as_json:
            emit_json(detail)
        else:
            print_detail(detail)

    @flags_cmd.command("ack")
    @click.argument("flag_id", type=int)
    @click.option("--by", metavar="NAME", help=_BY_HELP)
    @click.pass_obj
    def ack_cmd(app, flag_id, by):
        """确认提示（已收到，正在处理）。"""
        flag = _call(flag_store.acknowledge, app.db, flag_id, by=actor(by))
        click.echo(f"提示 #{flag_id} 已确认（{flag['updated_by']}）。")

    @flags_cmd.command("resolve")
    @click.argument("flag_id", type=int)
    @click.option("--basis", required=True, metavar="TEXT", help="修改后的依据全文")
    @click.option("--force", is_flag=True, help="新依据引用了未收录的法律、不存在的条文或已废止的规定时仍然使用（记入审计日志）")
    @click.option("--by", metavar="NAME", help=_BY_HELP)
    @click.pass_obj
    def resolve_cmd(app, flag_id, basis, force, by):
        """用修改后的依据解决提示：生成职权新版本，并关闭新依据已修正的其他提示。"""
        out = _call(flag_store.resolve, app.db, flag_id, basis=basis, by=actor(by), force=force)
        click.echo(f"提示 #{flag_id} 已解决；职权已更新为新版本 [{out['duty_id']}]（原 [{out['old_duty_id']}]）。")
        also = [i for i in out["resolved"] if i != flag_id]
        if also:
            click.echo("同时解决：" + "、".join(f"#{i}" for i in also))
        if out["moved"]:
            click.echo("仍需处理（已转入新版本）：" + "、".join(f"#{i}" for i in out["moved"]))
        if out["new_flags"]:
            click.echo("新依据中仍有引用已变化的条文，新增提示：" + "、".join(f"#{i}" for i in out["new_flags"]))

    @flags_cmd.command("dismiss")
    @click.argument("flag_id", type=int)
    @click.option("--reason", required=True, metavar="TEXT", help="驳回理由（必填）")
    @click.option("--by", metavar="NAME", help=_BY_HELP)
    @click.pass_obj
    def dismiss_cmd(app, flag_id, reason, by):
        """驳回提示（法律变化不影响该职权），须说明理由。"""
        _call(flag_store.dismiss, app.db, flag_id, reason=reason, by=actor(by))
        click.echo(f"提示 #{flag_id} 已驳回。")

    @flags_cmd.command("approve")
    @click.argument("flag_id", type=int)
    @click.option("--by", metavar="NAME", help=_BY_HELP)
    @click.pass_obj
    def approve_cmd(app, flag_id, by):
        """审核通过部门提交的修改或驳回理由（法制机构）。"""
        out = _call(flag_store.approve, app.db, flag_id, by=actor(by))
        click.echo(f"提示 #{flag_id} 审核通过，{out['state_name']}。")

    @flags_cmd.command("return")
    @click.argument("flag_id", type=int)
    @click.option("--reason", required=True, metavar="TEXT", help="退回理由（必填，部门将看到）")
    @click.option("--by", metavar="NAME", help=_BY_HELP)
    @click.pass_obj
    def return_cmd(app, flag_id, reason, by):
        """把部门提交的提示退回部门重新处理（法制机构），须说明理由。"""
        _call(flag_store.return_flag, app.db, flag_id, reason=reason, by=actor(by))
        click.echo(f"提示 #{flag_id} 已退回部门。")

    @flags_cmd.command("apply-renumbering")
    @click.option("--department", metavar="D", help="只处理该部门的职权")
    @click.option("--by", metavar="NAME", help=_BY_HELP)
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON")
    @click.pass_obj
    def apply_cmd(app, department, by, as_json):
        """一键更新：把仅条号变化的引用改为新条号，逐项生成职权新版本。"""
        out = _call(flag_store.apply_renumbering, app.db, department=department, by=actor(by))
        if as_json:
            emit_json(out)
            return
        if not out["duties"] and not out["skipped"]:
            click.echo("没有可以一键更新条号的提示。")
            return
        fixed = sum(len(d["resolved"]) for d in out["duties"])
        click.echo(f"已更新职权 {len(out['duties'])} 项，解决提示 {fixed} 项。")
        for d in out["duties"]:
            changes = "，".join(f"{u['old']} → {u['new']}" for u in d["replaced"])
            click.echo(f"  [{d['new_duty_id']}] {d['name']}（{d['department']}）：{changes}")
        for s in out["skipped"]:
            info(f"未处理：{s['reason']}")

    @cli.command("report")
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON")
    @click.pass_obj
    def report_cmd(app, as_json):
        """各部门考核数据：职权、引用、待处理与逾期提示、解决用时、依据全部现行的比例。"""
        from impact.report import department_report  # start-up: loaded when the command runs

        report = department_report(app.db)
        if as_json:
            emit_json(report)
        else:
            print_report(report)
