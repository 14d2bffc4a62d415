"""Configuration: defaults point at the real sources; every mistake names the file and key."""

import pathlib

import pytest

from config.settings import ConfigError, load, parse
from tests.conftest import Yiju


def write(tmp_path, text) -> pathlib.Path:
    p = tmp_path / "yiju.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_point_at_the_real_sources():
    s = load(None, environ={})
    by_name = {x.name: x for x in s.sources}
    assert by_name["flk"].base_url == "https://flk.npc.gov.cn"
    assert "flkoss.obs-bj2.cucloud.cn" in by_name["flk"].file_hosts
    assert s.schedule.timezone == "Asia/Shanghai"
    assert s.mail.password_env == "YIJU_SMTP_PASSWORD"


def test_explicit_file_beats_environment(tmp_path):
    a = write(tmp_path, '[schedule]\ncron = "0 3 * * *"\n')
    other = tmp_path / "other.toml"
    other.write_text('[schedule]\ncron = "0 4 * * *"\n', encoding="utf-8")
    assert load(a, environ={"YIJU_CONFIG": str(other)}).schedule.cron == "0 3 * * *"
    assert load(None, environ={"YIJU_CONFIG": str(other)}).schedule.cron == "0 4 * * *"


def test_relative_paths_are_relative_to_the_file(tmp_path):
    p = write(tmp_path, '[registry]\npath = "db/x.db"\n')
    assert load(p, environ={}).registry.path == tmp_path / "db" / "x.db"


@pytest.mark.parametrize(
    "text, words",
    [
        ("[registry]\npaht = 'x.db'\n", ["registry.paht", "未知"]),
        ("[bogus]\n", ["bogus", "未知"]),
        ("[mail]\nport = 'twenty-five'\n", ["mail.port", "整数"]),
        ("[mail]\nsecurity = 'tls'\n", ["mail.security", "tls"]),
        ("[schedule]\ncron = '30 2 * *'\n", ["schedule.cron", "5"]),
        ("[schedule]\ntimezone = 'Mars/Olympus'\n", ["schedule.timezone"]),
        ("[[sources]]\nname = 'x'\nkind = 'ftp'\nbase_url = 'https://a'\n", ["sources[0].kind", "ftp"]),
        ("[[sources]]\nname = 'x'\nkind = 'flk'\n", ["sources[0]", "base_url"]),
        ("[[sources]]\nname = 'x'\nkind = 'gov_rule'\nbase_url = 'https://www.gov.cn'\n", ["sources[0].kind", "gov_rule", "gov_rules"]),
        ("[[sources]]\nname='a'\nkind='flk'\nbase_url='https://a'\n[[sources]]\nname='a'\nkind='flk'\nbase_url='https://b'\n", ["重复", "a"]),
        ("[[sources]]\nname = 'x'\nkind = 'flk'\nbase_url = 'https://a'\ncolour = 1\n", ["sources[0].colour"]),
        ("not toml at all = = =\n", ["TOML"]),
        ("[schedule]\ncron = '99 99 * * *'\n", ["schedule.cron", "99"]),
        ("[schedule]\ncron = '0 0 31 2 *'\n", ["schedule.cron", "永远不会执行"]),
        ("[mail]\ndigest_to = ['fzb＠example.gov.cn']\n", ["mail.digest_to", "全角"]),
        ("[mail]\nsender = 'yiju at example'\n", ["mail.sender"]),
        ("[mail]\nusername = 'yiju'\n", ["mail.security", "明文", "allow_plaintext_password"]),
    ],
)
def test_mistakes_name_the_file_and_the_key(tmp_path, text, words):
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load(p, environ={})
    message = str(err.value)
    assert str(p) in message
    for w in words:
        assert w in message


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="不存在"):
        load(tmp_path / "nope.toml", environ={})


def test_password_only_from_environment(tmp_path):
    p = write(tmp_path, "[mail]\npassword_env = 'MY_PW'\n")
    s = load(p, environ={})
    assert s.mail.password({"MY_PW": "secret"}) == "secret"
    with pytest.raises(ConfigError):
        parse("[mail]\npassword = 'secret'\n", p, tmp_path)


def test_cli_reports_a_bad_config_in_one_line(tmp_path):
    from tests.conftest import Yiju

    p = write(tmp_path, "[registry]\npaht = 'x.db'\n")
    result = Yiju(p)("init")
    assert result.exit_code == 2
    assert "registry.paht" in result.output and str(p) in result.output


def test_a_rule_database_needs_only_name_kind_and_base_url(tmp_path):
    p = write(tmp_path, "[[sources]]\nname = '规章库'\nkind = 'gov_rules'\nbase_url = 'https://www.gov.cn'\n")
    source = load(p, environ={}).source("规章库")
    assert source.rule_types == ["部门规章", "地方政府规章"] and source.enabled


def test_a_plaintext_login_can_be_allowed_explicitly(tmp_path):
    p = write(tmp_path, "[mail]\nusername = 'yiju'\nallow_plaintext_password = true\n")
    assert load(p, environ={}).mail.username == "yiju"


def test_a_bad_digest_address_stops_the_cli_with_the_key(tmp_path):
    p = write(tmp_path, "[mail]\ndigest_to = ['fzb＠example.gov.cn']\n")
    result = Yiju(p)("run", "--no-crawl")
    assert result.exit_code == 2 and "mail.digest_to" in result.output
