"""Settings: the TOML file of DESIGN §11, validated, with errors a person can act on.

Where the file comes from: ``--config PATH``, else ``$YIJU_CONFIG``, else ``./yiju.toml``,
else the built-in defaults (``config/default.toml``, which point at the real sources).
Relative paths in a file are relative to that file's folder. Secrets never live in
the file: ``mail.password_env`` names the environment variable that holds the password.

>>> s = load(None, environ={})
>>> s.sources[0].name
'flk'
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import tomllib
from dataclasses import dataclass, field
from typing import Any

from config.addresses import BadAddress, check_address
from config.limits import LimitsSettings

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "default.toml"
DEMO_FILE = HERE / "demo.toml"
SOURCE_KINDS = ("flk", "xzfg", "gov_rules", "json_api", "html_list")
#: Kinds named in DESIGN.md that have no spider yet: refused with this reason, never silently skipped.
PLANNED_KINDS: dict[str, str] = {}


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""


@dataclass
class RegistrySettings:
    path: pathlib.Path = pathlib.Path("data/yiju.db")
    files: pathlib.Path = pathlib.Path("data/files")


@dataclass
class CrawlSettings:
    contact: str = ""                 # put into the User-Agent so a site can reach us
    user_agent: str = ""              # overrides the whole User-Agent when set
    http_cache: bool = False          # Scrapy's HTTP cache, for development
    http_cache_dir: pathlib.Path = pathlib.Path("data/httpcache")
    timeout: float = 30.0             # seconds per request
    retries: int = 3                  # retries of a failed request before the source is unhealthy
    backoff: float = 10.0             # seconds before the first retry; doubled for each further one
    backoff_max: float = 300.0        # longest wait between two retries
    autothrottle: bool = True         # Scrapy AutoThrottle: slow down when the site slows down
    url_refresh: int = 2              # fresh signed download URLs to ask for when one has expired
    give_up_after: int = 5            # consecutive failed documents after which a source stops for the night
    progress: bool = True             # progress display when stderr is a terminal


@dataclass
class SourceSettings:
    name: str
    kind: str
    base_url: str
    enabled: bool = True
    file_hosts: list[str] = field(default_factory=list)
    categories: list[int] = field(default_factory=list)   # flk flfgCodeId
    issuers: list[int] = field(default_factory=list)      # flk zdjgCodeId
    delay: float = 1.0
    concurrency: int = 1
    page_size: int = 1000
    region: str = ""
    allow_empty: bool = False         # an empty listing is normal for this source (else a failure)
    level: str = ""                   # 法律效力位阶 of what this source lists, when it is one level
    issuer: str = ""                  # 制定机关 of what this source lists, when it is one body
    profile: str = ""                 # json_api: which provincial database (crawler/parse/provinces/)
    rule_types: list[str] = field(default_factory=lambda: ["部门规章", "地方政府规章"])
                                      # gov_rules: which 规章分类 to list
    instruments: list[str] = field(default_factory=lambda: ["修改决定", "废止决定", "修正案"])
                                      # flk: related materials (xgzl busiType) kept with a new version
    # html_list: a site described entirely here
    list_url: str = ""
    max_pages: int = 1
    next_page: str = ""               # CSS selector of the next-page link, or a URL pattern with
                                      # {page} (2 for the second page) or {index} (1 for the second page)
    selectors: dict[str, str] = field(default_factory=dict)


@dataclass
class ScheduleSettings:
    cron: str = "30 2 * * *"
    timezone: str = "Asia/Shanghai"
    misfire_grace: int = 3600          # seconds a late run may still start


@dataclass
class MailSettings:
    host: str = "localhost"
    port: int = 25
    security: str = "none"            # none | starttls | ssl
    username: str = ""
    password_env: str = "YIJU_SMTP_PASSWORD"
    sender: str = "yiju@example.gov.cn"
    sender_name: str = "依据 执法依据动态监测"
    digest_to: list[str] = field(default_factory=list)
    dry_run_dir: str = ""
    timeout: float = 30.0
    max_attempts: int = 8
    allow_plaintext_password: bool = False   # security = "none" with a username sends the password in clear
    max_message_bytes: int = 900_000  # a longer digest is mailed as a summary with a link to the full one

    def password(self, environ: dict[str, str] | None = None) -> str:
        env = os.environ if environ is None else environ
        return env.get(self.password_env, "") if self.password_env else ""


@dataclass
class DigestSettings:
    dir: pathlib.Path = pathlib.Path("data/digests")
    base_url: str = ""                # where the digests are published, for links in e-mails


@dataclass
class WebSettings:
    """The review workspace (``yiju serve``): where it is reached, how its links are signed."""

    base_url: str = "http://127.0.0.1:8080"   # the address people open (behind a proxy: the public one)
    host: str = "127.0.0.1"                   # where ``yiju serve`` listens
    port: int = 8080
    secret_env: str = "YIJU_WEB_SECRET"       # environment variable holding the signing secret
    link_days: int = 7                        # a sign-in link in an e-mail expires after this many days
    threads: int = 8                          # waitress worker threads
    proxies: int = 0                          # reverse proxies in front (nginx: 1): trust their X-Forwarded-*

    def secret(self, environ: dict[str, str] | None = None) -> str:
        env = os.environ if environ is None else environ
        return env.get(self.secret_env, "") if self.secret_env else ""

    @property
    def secure(self) -> bool:
        return self.base_url.startswith("https://")


@dataclass
class WorkflowSettings:
    """Who closes a flag, and when people are reminded of it."""

    legal_review: bool = True          # a department's resolve/dismiss (and accept/decline of a proposal) waits for the legal office's approval
    remind_within: int = 7             # remind of flags due within this many days
    remind_every: int = 7              # days between two reminders of the same flag (at least 1)
    escalate_after: int = 14           # days overdue after which the legal office is told as well


@dataclass
class BackupSettings:
    dir: pathlib.Path | None = None   # where the nightly run copies the registry (unset: no nightly copy)
    keep: int = 14                    # copies kept there (the oldest are removed)


@dataclass
class Settings:
    registry: RegistrySettings = field(default_factory=RegistrySettings)
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    sources: list[SourceSettings] = field(default_factory=list)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    web: WebSettings = field(default_factory=WebSettings)
    workflow: WorkflowSettings = field(default_factory=WorkflowSettings)
    backup: BackupSettings = field(default_factory=BackupSettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    file: pathlib.Path | None = None  # where these settings were read from

    def source(self, name: str) -> SourceSettings:
        for s in self.sources:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.sources) or "（无）"
        raise ConfigError(f"没有名为 {name!r} 的数据源；已配置：{known}")


_SECTIONS = {
    "registry": RegistrySettings,
    "crawl": CrawlSettings,
    "schedule": ScheduleSettings,
    "mail": MailSettings,
    "digest": DigestSettings,
    "web": WebSettings,
    "workflow": WorkflowSettings,
    "backup": BackupSettings,
    "limits": LimitsSettings,
}


def find_file(explicit: str | os.PathLike | None, environ: dict[str, str] | None = None) -> pathlib.Path | None:
    """The configuration file to read, by the order of precedence above (None = defaults)."""
    env = os.environ if environ is None else environ
    if explicit:
        return pathlib.Path(explicit)
    if env.get("YIJU_CONFIG"):
        return pathlib.Path(env["YIJU_CONFIG"])
    local = pathlib.Path("yiju.toml")
    return local if local.exists() else None


def load(explicit: str | os.PathLike | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read and validate the settings; raise ConfigError naming the file and key on any problem."""
    path = find_file(explicit, environ)
    if path is None:
        return parse(DEFAULT_FILE.read_text("utf-8"), DEFAULT_FILE, base_dir=pathlib.Path.cwd())
    if not path.exists():
        raise ConfigError(f"{path}: 配置文件不存在")
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: 无法读取配置文件（{exc}）") from exc
    return parse(text, path, base_dir=path.resolve().parent)


def parse(text: str, path: pathlib.Path, base_dir: pathlib.Path) -> Settings:
    """Validate TOML text; paths are made absolute against ``base_dir``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: 不是有效的 TOML（{exc}）") from exc
    settings = Settings(file=path)
    for key, value in data.items():
        if key == "sources":
            if not isinstance(value, list):
                raise ConfigError(f"{path}: sources 应写成 [[sources]] 表数组")
            settings.sources = [_source(path, i, v) for i, v in enumerate(value)]
        elif key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: [{key}] 应是一个表")
            setattr(settings, key, _build(_SECTIONS[key], value, path, key))
        else:
            raise ConfigError(f"{path}: 未知的配置项 {key!r}（可用：{', '.join(sorted([*_SECTIONS, 'sources']))}）")
    names = [s.name for s in settings.sources]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ConfigError(f"{path}: sources 中的 name 重复：{', '.join(sorted(dup))}")
    _check(settings, path)
    for section, attr in (("registry", "path"), ("registry", "files"), ("crawl", "http_cache_dir"), ("digest", "dir")):
        obj = getattr(settings, section)
        value = getattr(obj, attr)
        if not value.is_absolute():
            setattr(obj, attr, base_dir / value)
    if settings.backup.dir is not None and not settings.backup.dir.is_absolute():
        settings.backup.dir = base_dir / settings.backup.dir
    if settings.mail.dry_run_dir and not pathlib.Path(settings.mail.dry_run_dir).is_absolute():
        settings.mail.dry_run_dir = str(base_dir / settings.mail.dry_run_dir)
    return settings


def _source(path: pathlib.Path, index: int, value: Any) -> SourceSettings:
    where = f"sources[{index}]"
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {where} 应是一个表")
    for required in ("name", "kind", "base_url"):
        if required not in value:
            raise ConfigError(f"{path}: {where} 缺少必填项 {required!r}")
    source = _build(SourceSettings, value, path, where)
    if source.kind in PLANNED_KINDS:
        raise ConfigError(f"{path}: {where}.kind = {source.kind!r}：{PLANNED_KINDS[source.kind]}")
    if source.kind not in SOURCE_KINDS:
        raise ConfigError(f"{path}: {where}.kind = {source.kind!r} 无效（可用：{', '.join(SOURCE_KINDS)}）")
    if not source.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{path}: {where}.base_url = {source.base_url!r} 不是 http(s) 地址")
    if source.kind == "json_api" and not source.profile:
        raise ConfigError(f"{path}: {where} 是 json_api 数据源，必须配置 profile（省级数据库的读法，如 \"gdpc\"）")
    if source.kind == "html_list" and not (source.list_url and source.selectors):
        raise ConfigError(f"{path}: {where} 是 html_list 数据源，必须配置 list_url 和 selectors")
    return source


def _build(cls, values: dict, path: pathlib.Path, where: str):
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in values.items():
        if key not in fields or key == "file":
            raise ConfigError(f"{path}: 未知的配置项 {where}.{key}（可用：{', '.join(sorted(fields))}）")
        kwargs[key] = _coerce(value, fields[key], path, f"{where}.{key}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{path}: [{where}] {exc}") from exc


def _coerce(value: Any, f: dataclasses.Field, path: pathlib.Path, where: str):
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    def bad(expected: str):
        return ConfigError(f"{path}: {where} 应为{expected}，实际是 {value!r}")
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad("true 或 false")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("整数")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("数字")
        return float(value)
    if kind == "str":
        if not isinstance(value, str):
            raise bad("字符串")
        return value
    if kind in ("pathlib.Path", "pathlib.Path | None"):
        if not isinstance(value, str) or not value:
            raise bad("路径字符串")
        return pathlib.Path(value)
    if kind == "list[str]":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("字符串数组")
        return value
    if kind == "list[int]":
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise bad("整数数组")
        return value
    if kind == "dict[str, str]":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise bad("键值均为字符串的表")
        return value
    return value


def _check(settings: Settings, path: pathlib.Path) -> None:
    if settings.mail.security not in ("none", "starttls", "ssl"):
        raise ConfigError(f"{path}: mail.security = {settings.mail.security!r} 无效（可用：none, starttls, ssl）")
    if not 0 < settings.mail.port < 65536:
        raise ConfigError(f"{path}: mail.port = {settings.mail.port} 不是有效端口")
    for key, values in (("mail.sender", [settings.mail.sender]), ("mail.digest_to", settings.mail.digest_to)):
        for value in values:
            try:
                check_address(value)
            except BadAddress as exc:
                raise ConfigError(f"{path}: {key} 中的{exc}") from exc
    if (settings.mail.security == "none" and settings.mail.username
            and not settings.mail.allow_plaintext_password):
        raise ConfigError(f"{path}: mail.security = \"none\" 而设置了 mail.username：密码将以明文在网络上传送。"
                          "请改用 starttls 或 ssl；如确属内网且已知风险，请设置 mail.allow_plaintext_password = true")
    for key, value in dataclasses.asdict(settings.limits).items():
        if value < 1:
            raise ConfigError(f"{path}: limits.{key} 至少为 1")
    if settings.backup.keep < 1:
        raise ConfigError(f"{path}: backup.keep 至少为 1")
    if settings.mail.max_message_bytes < 10_000:
        raise ConfigError(f"{path}: mail.max_message_bytes 至少为 10000")
    fields = settings.schedule.cron.split()
    if len(fields) != 5:
        raise ConfigError(f"{path}: schedule.cron = {settings.schedule.cron!r} 应有 5 个字段（分 时 日 月 周）")
    try:
        import zoneinfo

        zone = zoneinfo.ZoneInfo(settings.schedule.timezone)
    except Exception as exc:
        raise ConfigError(f"{path}: schedule.timezone = {settings.schedule.timezone!r} 不是有效时区") from exc
    web = settings.web
    if not web.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{path}: web.base_url = {web.base_url!r} 不是 http(s) 地址")
    if not 0 < web.port < 65536:
        raise ConfigError(f"{path}: web.port = {web.port} 不是有效端口")
    if web.link_days < 1:
        raise ConfigError(f"{path}: web.link_days 至少为 1")
    if web.threads < 1:
        raise ConfigError(f"{path}: web.threads 至少为 1")
    if web.proxies < 0:
        raise ConfigError(f"{path}: web.proxies 不能为负数")
    flow = settings.workflow
    if flow.remind_every < 1:
        raise ConfigError(f"{path}: workflow.remind_every 至少为 1（同一提示一天最多提醒一次）")
    if flow.remind_within < 0 or flow.escalate_after < 0:
        raise ConfigError(f"{path}: workflow.remind_within 和 workflow.escalate_after 不能为负数")
    _check_cron(settings.schedule.cron, zone, path)
    for s in settings.sources:
        if s.delay < 0:
            raise ConfigError(f"{path}: sources[{s.name}].delay 不能为负数")
        if s.concurrency < 1:
            raise ConfigError(f"{path}: sources[{s.name}].concurrency 至少为 1")
        if not 1 <= s.page_size <= 1000:
            raise ConfigError(f"{path}: sources[{s.name}].page_size 应在 1 到 1000 之间")


def _check_cron(cron: str, zone, path: pathlib.Path) -> None:
    """A cron expression whose fields are in range and that fires at least once (no 2月31日)."""
    import datetime as _dt

    from apscheduler.triggers.cron import CronTrigger

    try:
        trigger = CronTrigger.from_crontab(cron, timezone=zone)
    except ValueError as exc:
        raise ConfigError(f"{path}: schedule.cron = {cron!r} 无效（{exc}）") from exc
    if trigger.get_next_fire_time(None, _dt.datetime.now(zone)) is None:
        raise ConfigError(f"{path}: schedule.cron = {cron!r} 永远不会执行（日期不存在，例如 2 月 31 日）")
