"""``yiju cite``: read legal-basis texts and say which provisions they cite (DESIGN §6)."""

from __future__ import annotations

import json
import pathlib
import sys

import click

from config.glossary import name, with_names
from yiju.app import UserError, emit_json


def _locator(c: dict) -> str:
    from texts.provisions import provision  # start-up: loaded when the command runs

    return provision(c["article"], c["paragraph"], c["item"], c["sub_item"])


def format_listing(doc: dict, registry: bool) -> str:
    """A parsed basis as a legal officer reads it (Chinese)."""
    text = doc["text"].replace("\n", " ")
    lines = [f"依据：{text if len(text) <= 80 else text[:78] + '……'}"]
    if not doc["citations"]:
        lines.append("  （没有识别出引用的条文）")
    for n, c in enumerate(doc["citations"], 1):
        note = f"［{c['version_note']}］" if c["version_note"] else ""
        lines.append(f"  {n}. {c['law']} {_locator(c)}{note}")
        r = c["resolved"]
        if r is not None:
            state = name("resolution", r["resolution"])
            where = f"，现为{r['current_label']}" if r["resolution"] == "stale" and r["current_label"] else ""
            lines.append(f"     登记库：{state}（{r['status']}）{where}")
        elif registry:
            lines.append("     登记库：未收录该法律")
    if doc["problems"]:
        lines.append("  问题：")
        lines.extend(f"   - {p}" for p in doc["problems"])
    return "\n".join(lines)


def _texts(text: str | None, file: str | None) -> list[str]:
    if file is None:
        return [text]
    path = pathlib.Path(file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"无法读取 {file}：{exc.strerror or exc}") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            body = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(f"{file} 不是 UTF-8 或 GB18030 编码的文本文件")
    # one basis text per line; a line break inside a cell is written as the two characters \n
    return [line.replace("\\n", "\n") for line in body.splitlines() if line.strip()]


def register(cli: click.Group) -> None:
    @cli.command("cite")
    @click.argument("text", required=False)
    @click.option("--file", "file", metavar="F", help="从文件读取依据文本，每行一条（单元格内换行写作 \\n）")
    @click.option("--as-of", "as_of", metavar="DATE", help="按该日期（YYYY-MM-DD，如职权梳理日期）有效的版本核对条文")
    @click.option("--json", "as_json", is_flag=True, help="输出 JSON（--file 时每行一个 JSON 对象）")
    @click.pass_obj
    def cite_cmd(app, text, file, as_of, as_json):
        """识别执法依据文本引用的法律条文（条、款、项、目），并与登记库中的法律版本核对。"""
        from diffing.cite.find import parse_basis  # start-up: loaded when the command runs
        from impact.resolve import to_json  # start-up: loaded when the command runs

        if (text is None) == (file is None):
            raise UserError("请给出一条依据文本，或用 --file 指定文件（二者选一）")
        db = app.db if pathlib.Path(app.settings.registry.path).exists() else None
        texts = _texts(text, file)
        for body in texts:
            doc = to_json(db, parse_basis(body), as_of=as_of)
            for c in doc["citations"]:
                with_names(c["resolved"], resolution="resolution")
            if as_json and file is not None:
                sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
            elif as_json:
                emit_json(doc)
            else:
                click.echo(format_listing(doc, registry=db is not None))
                if file is not None:
                    click.echo("")
