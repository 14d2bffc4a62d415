# The article alignment of the release a84c420 over every corpus pair (bench/realign.py reads its output).
# run with the a84c420 code: prints the old alignment of every consecutive corpus pair as JSON
import json, pathlib, sys
from diffing.structure import parse
from diffing.align import compare
root = pathlib.Path(sys.argv[1])
out = {}
for law in sorted(p for p in root.iterdir() if p.is_dir()):
    files = sorted(law.glob("*.md"))
    for a, b in zip(files, files[1:]):
        try:
            c = compare(parse(a.read_text("utf-8")), parse(b.read_text("utf-8")))
        except Exception as exc:
            print("fail", law.name, a.stem, exc, file=sys.stderr); continue
        out[f"{law.name}|{a.stem}|{b.stem}"] = [
            {"status": m.status, "old_labels": list(m.old), "new_labels": list(m.new), "similarity": m.similarity,
             "substance": m.substance, "diff": m.diff, "provisions": None} for m in c.matches if m.status != "unchanged"]
json.dump(out, open(sys.argv[2], "w"), ensure_ascii=False)
print(len(out), file=sys.stderr)
# Provenance: run 2026-12-05 with the code of commit a84c420 (git worktree add /tmp/old a84c420;
# cd /tmp/old && PYTHONPATH=/tmp/old python bench/data/alignment-a84c420.py yiju/data/laws OUT.json),
# then the diffs left out (set to None) and xz -9e: bench/data/alignment-a84c420.json.xz.
