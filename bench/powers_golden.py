"""The powers yiju reads from laws outside the environment field, against a reviewed golden list.

For each law in ``bench/data/powers_golden/`` (one TSV a law, written and reviewed by a person
against the text: every enforcement clause of its 法律责任 chapter and the coercive measures it
grants elsewhere, as a legal officer of the department holding them would list them), yiju reads the
law's text from ``yiju/data/laws`` (``diffing.powers.law_powers``) and its 行政处罚 and 行政强制
powers are compared with the list:

- *found*: a golden row whose provision (条款项) and type yiju gives;
- *holder*: of those, yiju names the same competent authorities (主管领域, the domains of
  ``diffing/data/powers.toml``; none for a holder yiju cannot map, such as 原发证机关) and level;
- *name*: of those, yiju's name is the golden one word for word;
- *false*: a power yiju gives that is not on the list (wrong provision, wrong type, or no power at all).

Every miss, wrong holder and false power is printed. ``--code DIR`` reads the powers with the code of
another checkout (``git worktree add /tmp/base main``) to measure a change against it.

    .venv/bin/python bench/powers_golden.py [--law 产品质量法] [--code DIR] [--names]
"""

from __future__ import annotations

import argparse
import csv
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "bench" / "data" / "powers_golden"
CORPUS = ROOT / "yiju" / "data" / "laws"
TYPES = ("行政处罚", "行政强制")


def golden(path: pathlib.Path) -> tuple[str, list[dict]]:
    """(version date, rows) of a golden file; its ``# version:`` line names the text reviewed."""
    version = ""
    lines = []
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("# version:"):
            version = line.split(":", 1)[1].strip()
        elif line.strip() and not line.startswith("#"):
            lines.append(line)
    rows = list(csv.DictReader(lines, delimiter="\t"))
    for r in rows:
        r["domains"] = frozenset(d for d in (r["主管领域"] or "").split("、") if d)
    return version, rows


def yiju_powers(law: str, version: str):
    from diffing.powers import law_powers
    from texts.structure import parse_file

    text = parse_file(CORPUS / law / f"{version}.md")
    return [p for p in law_powers((a.label, [(q.text, q.items) for q in a.paragraphs]) for a in text.articles)
            if p.type in TYPES]


def measure(law: str, names: bool) -> dict:
    version, rows = golden(GOLDEN / f"{law}.tsv")
    powers = yiju_powers(law, version)
    by_key: dict[tuple[str, str], list] = {}
    for p in powers:
        by_key.setdefault((p.basis, p.type), []).append(p)
    keys = {(r["条款项"], r["类型"]) for r in rows}
    found = holder = named = 0
    notes: list[str] = []
    for r in rows:
        mine = by_key.get((r["条款项"], r["类型"]))
        if not mine:
            notes.append(f"   漏 {r['条款项']} {r['类型']} {r['名称']}")
            continue
        found += 1
        domains = frozenset(a.domain for p in mine for a in p.authorities if a.domain)
        level = next((a.level for p in mine for a in p.authorities if a.domain and a.level), None) or ""
        if domains == r["domains"] and level == (r["层级"] or ""):
            holder += 1
        else:
            notes.append(f"   主体不符 {r['条款项']} {r['类型']}：应为 {'、'.join(sorted(r['domains'])) or '（无法对应）'}"
                         f" {r['层级'] or ''}，yiju 读为 {'、'.join(sorted(domains)) or '（无法对应）'} {level}")
        if any(p.name == r["名称"] for p in mine):
            named += 1
        elif names:
            notes.append(f"   名称不同 {r['条款项']}：应为“{r['名称']}”，yiju 为“{mine[0].name}”")
    false = [p for p in powers if (p.basis, p.type) not in keys]
    for p in false:
        notes.append(f"   多 {p.basis} {p.type} {p.name}")
    print(f"== 《{law}》{version}：核对清单 {len(rows)} 项，yiju 读出 {len(powers)} 项（行政处罚、行政强制）")
    print(f"   找到 {found}/{len(rows)}；主体和层级正确 {holder}/{found}；名称一致 {named}/{found}；多出 {len(false)}")
    for n in notes:
        print(n)
    return {"rows": len(rows), "powers": len(powers), "found": found, "holder": holder, "named": named,
            "false": len(false)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--law", help="only this law (its folder name in yiju/data/laws)")
    ap.add_argument("--code", help="read the powers with the code of this checkout instead")
    ap.add_argument("--names", action="store_true", help="print every name that differs")
    args = ap.parse_args()
    sys.path.insert(0, str(pathlib.Path(args.code).resolve() if args.code else ROOT))
    laws = [args.law] if args.law else sorted(p.stem for p in GOLDEN.glob("*.tsv"))
    total = {"rows": 0, "powers": 0, "found": 0, "holder": 0, "named": 0, "false": 0}
    per = []
    for law in laws:
        r = measure(law, args.names)
        per.append((law, r))
        for k in total:
            total[k] += r[k]
    print("\n== 合计")
    print("   法律\t核对项\tyiju\t找到\t主体正确\t名称一致\t多出")
    for law, r in per + [("合计", total)]:
        print(f"   {law}\t{r['rows']}\t{r['powers']}\t{r['found']}\t{r['holder']}\t{r['named']}\t{r['false']}")
    t = total
    print(f"   recall {t['found']}/{t['rows']} = {t['found'] / max(t['rows'], 1):.1%}；"
          f"precision {t['powers'] - t['false']}/{t['powers']} = {(t['powers'] - t['false']) / max(t['powers'], 1):.1%}；"
          f"主体和层级正确 {t['holder']}/{t['found']}")


if __name__ == "__main__":
    main()
