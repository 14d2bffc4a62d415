"""``yiju diff OLD NEW`` (DESIGN §5) and ``yiju changes`` (the law and article changes found)."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import click

from config.glossary import name, with_names
from yiju.app import UserError, emit_json, info


def register(cli: click.Group) -> None:
    cli.add_command(diff)
    cli.add_command(changes)


def read_law(path: pathlib.Path):
    """Parse a law file (.md/.txt/.docx/.html/.pdf …); errors name the file and say what is wrong."""
    from texts.extract import ExtractionError, extract_text  # start-up: loaded when the command runs
    from texts.structure import parse  # start-up: loaded when the command runs

    if not path.exists():
        raise UserError(f"{path}：文件不存在")
    if path.is_dir():
        raise UserError(f"{path}：是一个目录，请给出法律文本文件")
    try:
        text = extract_text(path.read_bytes(), path.name)
    except ExtractionError as exc:
        raise UserError(f"{path}：{exc}") from exc
    except OSError as exc:
        raise UserError(f"{path}：无法读取（{exc.strerror or exc}）") from exc
    law = parse(text)
    if not law.articles:
        raise UserError(f"{path}：没有找到任何条文（第X条），不是法律文本或文本不完整")
    return law


def _line(m) -> str:
    """One line of the terminal summary for a changed article."""
    from diffing.compare import status_name, substance_name  # start-up: loaded when the command runs

    old, new = "、".join(m.old), "、".join(m.new)
    if old and new:
        where = new if old == new else f"原{old} → 现{new}"
    elif new:
        where = f"现{new}"
    else:
        where = f"原{old}"
    extra = []
    if m.substance:
        extra.append(substance_name(m.substance))
    if m.similarity is not None and m.status not in ("unchanged", "renumbered"):
        extra.append(f"相似度 {round(m.similarity * 100)}%")
    tail = f"（{'，'.join(extra)}）" if extra else ""
    return f"  {status_name(m.status)}　{where}{tail}"


def summary_text(summary: dict) -> str:
    from diffing.compare import status_name  # start-up: loaded when the command runs

    return "，".join(f"{status_name(k)} {v} 条" for k, v in summary.items())


@click.command("diff")
@click.argument("old", metavar="OLD", type=click.Path(path_type=pathlib.Path))
@click.argument("new", metavar="NEW", type=click.Path(path_type=pathlib.Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出逐条比对结果（DESIGN §5 格式）")
@click.option("--html", "as_html", is_flag=True, help="输出新旧对照 HTML 页面（原文与现文并排，标出增删）")
@click.option("--decision", "decision_file", metavar="FILE", type=click.Path(path_type=pathlib.Path),
              help="修改决定文本：逐项核对比对结果，报告不一致之处")
def diff(old: pathlib.Path, new: pathlib.Path, as_json: bool, as_html: bool, decision_file) -> None:
    """逐条比对同一法律的两个文本（.md/.txt/.docx/.html），条号变化也能对上。

    默认输出中文概要：各类条文的数目，以及每一条有变化的条文（修改、新增、删除、条号变化、拆分、合并）。
    """
    from diffing.align import compare  # start-up: loaded when the command runs

    if as_json and as_html:
        raise UserError("--json 与 --html 只能选一个")
    old_law, new_law = read_law(old), read_law(new)
    decision = None
    if decision_file is not None:
        decision = _read_decision(decision_file)
    info(f"正在比对 {old.name}（{len(old_law.articles)} 条）与 {new.name}（{len(new_law.articles)} 条）")
    comparison = compare(old_law, new_law)
    notes = None
    if decision is not None:
        from diffing.instruments import verify  # start-up: loaded when the command runs

        decision, decided_on = decision
        dated = re.match(r"\d{4}-\d{2}-\d{2}", old.name)  # 2016-11-07.md, as the corpus names versions
        result = verify(comparison, decision, old_law, new_law, decided_on=decided_on,
                        old_on=dated.group(0) if dated else None)
        if result["refused"]:
            raise UserError(f"{decision_file}：{result['refused']}")
        for warning in result["warnings"]:
            info(f"注意：{warning}")
        notes = result["disagreements"]
    if as_json:
        from diffing.provisions import provision_map  # start-up: loaded when the command runs

        doc = comparison.to_json(provision_map(old_law, new_law, comparison))
        for a in doc["articles"]:
            with_names(a, status="article_status", substance="substance")
        if notes is not None:
            doc["check"] = notes
            doc["decision_check"] = {"disagreements": notes, "warnings": result["warnings"]}
        emit_json(doc)
        _exit_on(notes)
        return
    if as_html:
        from notify.templates import environment  # start-up: loaded when the command runs

        title = new_law.title or old_law.title or new.stem
        html = environment().get_template("compare.html.j2").render(
            title=f"《{title}》" if title else "", comparison=comparison,
            old_title=old_law.title, new_title=new_law.title, old_name=old.name, new_name=new.name,
            check=notes,
        )
        click.echo(html)
        _exit_on(notes)
        return
    if old_law.title and new_law.title and old_law.title != new_law.title:
        click.echo(f"《{old_law.title}》→《{new_law.title}》")
    elif new_law.title or old_law.title:
        click.echo(f"《{new_law.title or old_law.title}》")
    click.echo(f"原文 {comparison.old_count} 条 → 现文 {comparison.new_count} 条")
    click.echo(summary_text(comparison.summary))
    changed = comparison.changed()
    if changed:
        click.echo("")
        for m in changed:
            click.echo(_line(m))
    else:
        click.echo("两个文本的条文完全相同。")
    if notes is not None:
        click.echo("")
        if notes:
            click.echo(f"核对修改决定：有 {len(notes)} 处不一致")
            for note in notes:
                click.echo(f"  {note}")
        else:
            click.echo("核对修改决定：比对结果与决定一致")
        _exit_on(notes)


def _read_decision(decision_file: pathlib.Path):
    """The decision (``diffing.instruments.Decision``) and the date it was adopted, if it says."""
    from texts.extract import ExtractionError, extract_text  # start-up: loaded when the command runs
    from diffing.instruments import decision_date, parse  # start-up: loaded when the command runs

    if not decision_file.exists():
        raise UserError(f"{decision_file}：文件不存在")
    try:
        text = extract_text(decision_file.read_bytes(), decision_file.name)
    except ExtractionError as exc:
        raise UserError(f"{decision_file}：{exc}") from exc
    decision = parse(text)
    named = re.match(r"(\d{4})-(\d{2})-(\d{2})", decision_file.name)  # 2021-04-29_关于修改….md
    return decision, decision_date(text, decision.title) or (named.group(0) if named else None)


def _exit_on(notes) -> None:
    """Every ``--decision`` run exits 1 when the alignment and the decision disagree."""
    if notes:
        raise SystemExit(1)


# --- yiju changes ------------------------------------------------------------------------------

def _since_utc(day: str) -> str:
    """A date in China (YYYY-MM-DD) → the UTC instant its day starts, as detected_at is stored."""
    from config.clock import SHANGHAI  # start-up: loaded when the command runs

    try:
        start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), SHANGHAI)
    except ValueError as exc:
        raise UserError(f"--since {day}：日期格式应为 YYYY-MM-DD") from exc
    return start.astimezone(dt.timezone.utc).isoformat()


def load_changes(db, run_id: int | None = None, since: str | None = None) -> list[dict]:
    """Changes (newest first) with their article changes, as ``yiju changes --json`` prints them."""
    from registry import changes  # start-up: loaded when the command runs

    result = []
    for c in changes.detected(db, run_id=run_id, since=_since_utc(since) if since is not None else None):
        result.append({
            "id": c["id"],
            "law": c["law_title"],
            "law_id": c["law_id"],
            "kind": c["kind"],
            "published": c["published"],
            "effective": c["effective"],
            "old_version_id": c["old_version_id"],
            "new_version_id": c["new_version_id"],
            "run_id": c["detected_run_id"],
            "detected_at": c["detected_at"],
            "summary": c["summary"],
            "check_notes": c["check_notes"],
            "detail": c["detail"],
            "articles": [
                {
                    "status": a["status"], "old": a["old_labels"], "new": a["new_labels"],
                    "similarity": a["similarity"], "substance": a["substance"], "diff": a["diff"],
                }
                for a in changes.article_changes(db, c["id"])
            ],
        })
    return result


@click.command("changes")
@click.option("--run", "run_id", type=int, metavar="ID", help="只列出第 ID 次运行发现的变化")
@click.option("--since", metavar="DATE", help="只列出该日期（YYYY-MM-DD，北京时间）以来发现的变化")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（含逐条变化与字符差异）")
@click.pass_obj
def changes(app, run_id: int | None, since: str | None, as_json: bool) -> None:
    """发现的法律变化（制定、修改、废止、更名、施行、文字更正）及其逐条变化。"""
    from diffing.compare import status_name  # start-up: loaded when the command runs

    if run_id is not None and since is not None:
        raise UserError("--run 与 --since 只能选一个")
    rows = load_changes(app.db, run_id=run_id, since=since)
    for c in rows:
        with_names(c, kind="change_kind")
        for a in c["articles"]:
            with_names(a, status="article_status", substance="substance")
    if as_json:
        emit_json(rows)
        return
    if not rows:
        scope = f"第 {run_id} 次运行" if run_id is not None else (f"{since} 以来" if since else "登记库中")
        info(f"{scope}没有发现法律变化。")
        return
    for c in rows:
        when = c["published"] or c["detected_at"][:10]
        run = f"（运行 #{c['run_id']}）" if c["run_id"] is not None else ""
        click.echo(f"#{c['id']}　{when}　《{c['law']}》　{name('change_kind', c['kind'])}{run}")
        if c["effective"]:
            click.echo(f"  施行日期：{c['effective']}")
        counts = {k: v for k, v in c["summary"].items() if v}
        if counts:
            click.echo("  " + "，".join(f"{status_name(k)} {v} 条" for k, v in counts.items()))
        for a in c["articles"]:
            if a["status"] == "unchanged":
                continue
            click.echo(_line(_Row(a)))
        for note in c["check_notes"]:
            click.echo(f"  与修改决定不一致：{note}")
    info(f"共 {len(rows)} 项变化。")


class _Row:
    """An article change read back from the registry, shaped like an ArticleMatch for ``_line``."""

    def __init__(self, a: dict):
        self.status = a["status"]
        self.old = a["old"]
        self.new = a["new"]
        self.similarity = a["similarity"]
        self.substance = a["substance"]
