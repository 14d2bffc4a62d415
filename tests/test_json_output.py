"""`--json` prints one JSON document on stdout and nothing else (DESIGN §11): scripts rely on it."""

import json
import shutil

import pytest

from tests.conftest import CORPUS, Yiju
from yiju.demo import DEMO_DATA


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    root = tmp_path_factory.mktemp("json")
    laws = root / "laws" / "行政处罚法"
    laws.mkdir(parents=True)
    for date in ("2017-09-01", "2021-01-22"):
        shutil.copy(CORPUS / "行政处罚法" / f"{date}.md", laws / f"{date}.md")
    config = root / "yiju.toml"
    import socket

    with socket.socket() as probe:  # a loopback port where no mail server listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config.write_text('[registry]\npath = "data/yiju.db"\nfiles = "data/files"\n[digest]\ndir = "data/digests"\n'
                      f'[mail]\nhost = "127.0.0.1"\nport = {port}\ntimeout = 2.0\n', encoding="utf-8")
    yiju = Yiju(config)
    for args in (["laws", "import", str(root / "laws")],
                 ["departments", "import", str(DEMO_DATA / "departments.csv")],
                 ["staff", "import", str(DEMO_DATA / "staff.csv")],
                 ["duties", "import", str(DEMO_DATA / "duties.csv"), "--as-of", "2020-06-30"]):
        result = yiju(*args)
        assert result.exit_code in (0, 1), result.output
    return yiju


@pytest.mark.parametrize("args", [
    ["laws", "--json"],
    ["search", "加处罚款", "--json"],
    ["cite", "《行政处罚法》第五十一条第（一）项", "--json"],
    ["changes", "--json"],
    ["duties", "--json"],
    ["impact", "--json"],
    ["flags", "--json"],
    ["flags", "show", "1", "--json"],
    ["report", "--json"],
    ["mail", "list", "--json"],
])
def test_json_is_alone_on_stdout(registry, args):
    result = registry(*args)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document is not None


def test_mail_send_dry_run_previews_and_changes_nothing(registry, tmp_path):
    """`yiju mail send --dry-run DIR` writes the pending messages as .eml files; they stay pending."""
    import email
    import email.policy

    # queue the night's mail without sending it: the mail server of this config is not running
    assert registry("run", "--no-crawl").exit_code == 1
    before = json.loads(registry("mail", "list", "--json").stdout)
    assert before and {m["state"] for m in before} == {"pending"}
    out = tmp_path / "eml"
    result = registry("mail", "send", "--dry-run", out)
    assert result.exit_code == 0, result.stderr
    files = sorted(out.glob("*.eml"))
    assert len(files) == len(before)
    subjects = [str(email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["Subject"]) for f in files]
    assert any("执法依据变动" in s for s in subjects)
    after = json.loads(registry("mail", "list", "--json").stdout)
    assert [(m["id"], m["state"], m["attempts"]) for m in after] == [(m["id"], m["state"], m["attempts"]) for m in before]
