"""Reading tables as departments publish them: power lists (权责清单), departments, staff.

A table is an .xlsx workbook (every sheet is read) or a .csv file (UTF-8 or GB18030, comma,
tab or semicolon separated). In each sheet the header row is found by the synonyms in
``data/headers.toml``, possibly below a title row and possibly on two rows (a group header
such as 依据 over 违法依据 | 处罚依据). Merged cells are filled: a value merged down over
several rows applies to each of them. Rows that are blank, repeat the header, or are section
headings (一、行政许可) are passed over; every other row becomes a :class:`Record`.

>>> import pathlib, tempfile
>>> p = pathlib.Path(tempfile.mkdtemp()) / "list.csv"
>>> _ = p.write_text("事项名称,实施依据\\n对某行为的处罚,《中华人民共和国行政处罚法》第十条\\n", "utf-8")
>>> r = read(p, "powerlist")
>>> r.records[0].values["name"], r.records[0].where
('对某行为的处罚', 'list.csv 第 2 行')
"""

from __future__ import annotations

import csv
import datetime as _dt
import functools
import io
import pathlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from email.errors import HeaderParseError, MessageDefect
from email.headerregistry import Address

from config import limits

HEADERS_FILE = pathlib.Path(__file__).with_name("data") / "headers.toml"
TABLES = ("powerlist", "departments", "staff")
HEADER_SCAN_ROWS = 20          # the header row is looked for among the first rows of a sheet

# Which columns a table needs: each tuple is "one of these". Field names are those of headers.toml.
REQUIRED = {
    "powerlist": (("name", "conduct"), ("basis", "penalty_basis")),
    "departments": (("department",),),
    "staff": (("name",), ("email",), ("department",), ("post", "unit")),
}
# Fields whose several columns are joined (a list with both 设定依据 and 实施依据); others take the first.
JOINED = {"basis", "penalty_basis", "note"}

OWN, DOWN, ACROSS = 0, 1, 2     # a cell's own value / filled from a merge above / covered by a merge to its left


class TableError(Exception):
    """A file that cannot be read as a table at all; the message (Chinese) names the file."""


class _NoFormulaValue(str):
    """A formula cell the file stores no computed value for (never a value of the table)."""


NO_FORMULA_VALUE = _NoFormulaValue("")


@dataclass(frozen=True)
class Problem:
    """A row that was skipped, and why; ``str()`` is the line shown to the user."""

    file: str
    sheet: str | None
    row: int | None
    reason: str

    @property
    def where(self) -> str:
        return where(self.file, self.sheet, self.row)

    def __str__(self) -> str:
        return f"{self.where}：{self.reason}，已跳过"


@dataclass
class Record:
    """One data row: ``values`` maps field names (headers.toml) to cell values.

    Values are text (stripped, line breaks kept) except dates and numbers read from
    Excel, which stay ``datetime``/``int``/``float`` until a field asks for them.
    """

    file: str
    sheet: str | None
    row: int
    values: dict[str, object]
    section_kind: str | None = None     # 职权类型 named by a section heading or the sheet name
    columns: frozenset = frozenset()    # the fields its sheet has a column for (empty cells included)

    @property
    def where(self) -> str:
        return where(self.file, self.sheet, self.row)

    def text(self, name: str) -> str:
        return text(self.values.get(name))


@dataclass
class Reading:
    """What came out of one file."""

    file: str
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)          # sheets with a header, in order
    passed_over: list[str] = field(default_factory=list)     # sheets without one (说明, 封面 …)


def where(file: str, sheet: str | None, row: int | None) -> str:
    """'power.xlsx 工作表「处罚」第 7 行' — how a row is named in messages."""
    out = file
    if sheet:
        out += f" 工作表「{sheet}」"
    if row:
        out += ("" if sheet else " ") + f"第 {row} 行"
    return out.strip()


# --------------------------------------------------------------------------- vocabulary


@functools.cache
def vocabulary() -> dict:
    """headers.toml, loaded once."""
    with HEADERS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).lower()
    s = re.sub(r"[\s*★※:]+", "", s)
    return s


_BRACKETED = re.compile(r"[(\[【〔<《].*?[)\]】〕>》]")


@functools.cache
def _synonyms(table: str) -> dict[str, str]:
    section = vocabulary()[table]
    out: dict[str, str] = {}
    for name, words in section.items():
        for w in words:
            out.setdefault(_fold(w), name)
    return out


def header_field(table: str, cell: object) -> str | None:
    """The field a header cell names, or None.

    >>> header_field("powerlist", "实施依据（法律、法规、规章条款）")
    'basis'
    >>> header_field("powerlist", "事项名称\\n(主项)")
    'name'
    """
    if not isinstance(cell, str) or not cell.strip() or len(cell) > 40:
        return None
    syn = _synonyms(table)
    folded = _fold(cell)
    if folded in syn:
        return syn[folded]
    stripped = _BRACKETED.sub("", folded)
    return syn.get(stripped) if stripped else None


def label(table: str, name: str) -> str:
    """The usual Chinese header of a field (its first synonym): label('powerlist', 'basis') → 实施依据."""
    return vocabulary()[table][name][0]


@functools.cache
def _kinds() -> tuple[dict[str, str], list[str]]:
    lookup: dict[str, str] = {}
    for canonical, aliases in vocabulary()["kinds"].items():
        for w in (canonical, *aliases):
            lookup[_fold(w)] = canonical
    # longest first, for finding a kind inside a heading such as 一、行政许可（12项）
    ordered = sorted(lookup, key=len, reverse=True)
    return lookup, ordered


def normalize_kind(value: str) -> str | None:
    """The 职权类型 as stored, or None when it is not in the vocabulary.

    >>> normalize_kind("处罚"), normalize_kind("行政处罚类"), normalize_kind("行政审查")
    ('行政处罚', '行政处罚', None)
    """
    lookup, _ = _kinds()
    folded = _fold(value)
    for candidate in (folded, re.sub(r"(类|事项|职权|权力)$", "", folded)):
        if candidate in lookup:
            return lookup[candidate]
    return None


def kind_in_heading(heading: str) -> str | None:
    """The kind a section heading names: '二、行政处罚（共 35 项）' → 行政处罚."""
    lookup, ordered = _kinds()
    folded = _fold(heading)
    for w in ordered:
        if len(w) >= 2 and w in folded:
            return lookup[w]
    return None


# --------------------------------------------------------------------------- cell values


def text(value: object) -> str:
    """A cell as text: stripped, line breaks kept (\\r\\n → \\n), Excel numbers without '.0'.

    >>> text(330275012000.0), text(" 甲\\r\\n乙 "), text(None)
    ('330275012000', '甲\\n乙', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    s = str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return s.strip()


def one_line(value: object) -> str:
    """A cell as a one-line name: breaks inside it (layout wraps) removed, spaces collapsed.

    >>> one_line("对未依法报批建设项目\\n环境影响报告书的处罚")
    '对未依法报批建设项目环境影响报告书的处罚'
    """
    s = text(value)
    s = re.sub(r"\s*\n\s*", "", s)
    return re.sub(r"[ \t\u3000]+", " ", s).strip()


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_EXCEL_EPOCH = _dt.date(1899, 12, 30)


def parse_date(value: object) -> str | None:
    """A date as YYYY-MM-DD from the spellings found in tables; None for an empty cell.

    Raises ValueError (Chinese message) for anything else.

    >>> [parse_date(v) for v in ("2024-01-01", "2024/1/1", "2024年1月1日", "2024.1.1", 45292, "")]
    ['2024-01-01', '2024-01-01', '2024-01-01', '2024-01-01', '2024-01-01', None]
    """
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial day number (1954 … 2119)
            return (_EXCEL_EPOCH + _dt.timedelta(days=int(value))).isoformat()
        if isinstance(value, int) or float(value).is_integer():
            return parse_date(str(int(value)))
        raise ValueError(f"「{value}」不是日期")
    s = unicodedata.normalize("NFKC", text(value))
    if not s:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        return parse_date(float(s))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return _dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                break
    raise ValueError(f"「{s}」不是日期（可写作 2024-01-01、2024/1/1 或 2024年1月1日）")


_EMAIL_SPLIT = re.compile(r"[;；,，、\s]+")


def parse_emails(value: object) -> list[str]:
    """E-mail addresses of a cell (separated by ；; ， 、 or spaces), validated.

    Raises ValueError naming the first bad address.

    >>> parse_emails("fzk@jm.gov.cn；zfj@jm.gov.cn  hb@jm.gov.cn")
    ['fzk@jm.gov.cn', 'zfj@jm.gov.cn', 'hb@jm.gov.cn']
    """
    out: list[str] = []
    for part in _EMAIL_SPLIT.split(unicodedata.normalize("NFKC", text(value))):
        part = part.strip().strip("<>")
        if not part:
            continue
        out.append(check_email(part))
    return list(dict.fromkeys(out))


def check_email(address: str) -> str:
    """``address`` when it is a valid mailbox (with a dotted domain), else ValueError.

    >>> check_email("fzk@jm.gov.cn")
    'fzk@jm.gov.cn'
    """
    try:
        parsed = Address(addr_spec=address)
    except (HeaderParseError, MessageDefect, ValueError, IndexError):
        parsed = None
    if parsed is None or not parsed.username or "." not in parsed.domain or parsed.domain.startswith(".") \
            or parsed.domain.endswith(".") or not re.fullmatch(r"[A-Za-z0-9.-]+", parsed.domain):
        raise ValueError(f"「{address}」不是有效的电子邮箱地址")
    return f"{parsed.username}@{parsed.domain.lower()}"


# --------------------------------------------------------------------------- grids


@dataclass
class _Grid:
    """One sheet: cell values and, for each cell, OWN / DOWN / ACROSS."""

    name: str | None
    values: list[list[object]]
    marks: list[list[int]]
    spans: set[tuple[int, int]]       # (row, col) origins of merges covering more than one column


def _extent(ws) -> tuple[int, int]:
    """(rows, columns) up to the last cell holding a value: a styled empty cell at C1048576 or a
    cell declared at XFD1048576 does not make a sheet of a million rows."""
    rows = cols = 0
    for (r, c), cell in ws._cells.items():
        if cell.value is not None and cell.value != "":
            rows, cols = max(rows, r), max(cols, c)
    for rng in ws.merged_cells.ranges:           # a merge running on below the last value
        if rng.min_row <= rows and rng.min_col <= cols:
            rows, cols = max(rows, rng.max_row), max(cols, rng.max_col)
    return rows, cols


def _formulas_without_values(path: pathlib.Path, data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Per sheet, the (row, col) of formula cells the file stores no computed value for
    (a workbook written by a program, never opened and saved in Excel/WPS)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    out: dict[str, set[tuple[int, int]]] = {}
    try:
        for ws in wb.worksheets:
            cells = {(r - 1, c - 1) for (r, c), cell in ws._cells.items() if cell.data_type == "f"}
            if cells:
                out[ws.title] = cells
    finally:
        wb.close()
    return out


def _read_xlsx(path: pathlib.Path) -> list[_Grid]:
    import openpyxl  # imported here: csv-only users pay nothing
    import zlib
    from xml.etree.ElementTree import ParseError
    from zipfile import BadZipFile, ZipFile

    try:
        data = limits.read_regular(path)
        with ZipFile(io.BytesIO(data)) as z:
            limits.check_zip(z, path.name)
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = _formulas_without_values(path, data)
    except (limits.NotAFile, limits.TooLarge) as exc:
        raise TableError(str(exc)) from exc
    except (BadZipFile, KeyError, OSError, ValueError, TypeError, ParseError, zlib.error, EOFError) as exc:
        raise TableError(f"{path.name}：无法作为 .xlsx 工作簿读取，文件可能不完整或已损坏"
                         f"（{type(exc).__name__}: {exc}）") from exc
    except Exception as exc:  # lxml's XMLSyntaxError and other parser errors of a damaged file
        raise TableError(f"{path.name}：无法作为 .xlsx 工作簿读取（{type(exc).__name__}: {exc}）") from exc
    grids = []
    try:
        for ws in wb.worksheets:
            rows, cols = _extent(ws)
            limits.check_count(rows, f"{path.name} 工作表「{ws.title}」", "max_rows", "行数")
            limits.check_count(cols, f"{path.name} 工作表「{ws.title}」", "max_columns", "列数")
            # openpyxl's own origin (the sheet's first used row and column), as before the limits
            top, left = ws.min_row, ws.min_column
            values = [list(r) for r in ws.iter_rows(max_row=rows, max_col=cols, values_only=True)] \
                if rows and cols else []
            for (r, c) in formulas.get(ws.title, set()):
                r, c = r - (top - 1), c - (left - 1)
                if 0 <= r < len(values) and 0 <= c < len(values[r]) and values[r][c] is None:
                    values[r][c] = NO_FORMULA_VALUE
            width = max((len(r) for r in values), default=0)
            for r in values:
                r.extend([None] * (width - len(r)))
            marks = [[OWN] * width for _ in values]
            spans: set[tuple[int, int]] = set()
            for rng in ws.merged_cells.ranges:
                r0, c0 = rng.min_row - 1, rng.min_col - 1
                if r0 >= len(values) or c0 >= width:
                    continue
                origin = values[r0][c0]
                if rng.max_col > rng.min_col:
                    spans.add((r0, c0))
                for r in range(r0, min(rng.max_row, len(values))):
                    for c in range(c0, min(rng.max_col, width)):
                        if (r, c) == (r0, c0):
                            continue
                        if c == c0:
                            values[r][c], marks[r][c] = origin, DOWN
                        else:
                            values[r][c], marks[r][c] = None, ACROSS
            grids.append(_Grid(ws.title, values, marks, spans))
    except limits.TooLarge as exc:
        raise TableError(str(exc)) from exc
    finally:
        wb.close()
    return grids


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(f"{name}：无法识别文件编码（应为 UTF-8 或 GBK/GB18030）")


def _read_csv(path: pathlib.Path) -> list[_Grid]:
    try:
        data = limits.read_regular(path)
    except (limits.NotAFile, limits.TooLarge) as exc:
        raise TableError(str(exc)) from exc
    except OSError as exc:
        raise TableError(f"{path.name}：无法读取（{exc.strerror or exc}）") from exc
    content = _decode(data, path.name)
    sample = content[:8192]
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    else:
        first = sample.split("\n", 1)[0]
        delimiter = max(",\t;", key=first.count) if any(d in first for d in ",\t;") else ","
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise TableError(f"{path.name}：不是有效的 CSV 文件（{exc}）") from exc
    try:
        limits.check_count(len(rows), path.name, "max_rows", "行数")
        width = max((len(r) for r in rows), default=0)
        limits.check_count(width, path.name, "max_columns", "列数")
    except limits.TooLarge as exc:
        raise TableError(str(exc)) from exc
    values: list[list[object]] = [[(v if v.strip() else None) for v in r] + [None] * (width - len(r)) for r in rows]
    return [_Grid(None, values, [[OWN] * width for _ in values], set())]


def read_grids(path: str | pathlib.Path) -> list[_Grid]:
    """The sheets of an .xlsx or .csv file as grids (merged cells filled)."""
    path = pathlib.Path(path)
    if not path.exists():
        raise TableError(f"{path}：文件不存在")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".tsv", ".txt"):
        return _read_csv(path)
    if suffix in (".xls", ".et"):
        raise TableError(f"{path.name}：不支持旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx 后再导入")
    raise TableError(f"{path.name}：不支持的文件类型 {suffix or '（无扩展名）'}，请使用 .xlsx 或 .csv")


# --------------------------------------------------------------------------- rows


def _match_row(table: str, grid: _Grid, r: int) -> dict[int, str]:
    return {c: f for c, v in enumerate(grid.values[r]) if (f := header_field(table, v))}


def _satisfies(table: str, fields) -> bool:
    present = set(fields)
    return all(any(f in present for f in group) for group in REQUIRED[table])


def _find_header(table: str, grid: _Grid) -> tuple[int, dict[int, str]] | None:
    """(index of the first data row, column → field), or None when the sheet has no header."""
    rows = len(grid.values)
    for r in range(min(HEADER_SCAN_ROWS, rows)):
        columns = _match_row(table, grid, r)
        if not columns:
            continue
        start = r + 1
        if r + 1 < rows:
            below = _match_row(table, grid, r + 1)
            own = [c for c, v in enumerate(grid.values[r + 1]) if v not in (None, "") and grid.marks[r + 1][c] == OWN]
            if below and own and all(c in below for c in own):  # a second header row (sub-headers)
                columns = {**columns, **below}
                start = r + 2
        if _satisfies(table, columns.values()):
            return start, columns
    return None


def read(path: str | pathlib.Path, table: str) -> Reading:
    """Read a table of kind ``table`` ('powerlist', 'departments' or 'staff').

    Raises TableError when the file cannot be read or no sheet has the needed columns.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table kind {table!r}")
    path = pathlib.Path(path)
    grids = read_grids(path)
    reading = Reading(file=path.name)
    for grid in grids:
        found = _find_header(table, grid)
        if found is None:
            if any(v not in (None, "") for row in grid.values for v in row):
                reading.passed_over.append(grid.name or path.name)
            continue
        reading.sheets.append(grid.name or path.name)
        _read_rows(table, grid, found, reading)
    if not reading.sheets:
        needed = "、".join("或".join(f"「{label(table, f)}」" for f in group) for group in REQUIRED[table])
        raise TableError(f"{path.name}：找不到表头（前 {HEADER_SCAN_ROWS} 行中没有同时含有 {needed} 的行）")
    return reading


def _column_letter(c: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


def _read_rows(table: str, grid: _Grid, found: tuple[int, dict[int, str]], reading: Reading) -> None:
    start, columns = found
    sheet_kind = normalize_kind(grid.name) if (table == "powerlist" and grid.name) else None
    present = frozenset(columns.values())
    section_kind = None
    for r in range(start, len(grid.values)):
        row, marks = grid.values[r], grid.marks[r]
        number = r + 1
        unknown = [c for c, v in enumerate(row) if v is NO_FORMULA_VALUE]
        if unknown:
            cells = "、".join(f"{_column_letter(c)}{number}" for c in unknown[:5])
            reading.problems.append(Problem(reading.file, grid.name, number,
                                            f"单元格 {cells} 是公式，但文件中没有保存计算结果（请用 Excel 或 WPS "
                                            "打开后保存，再导入）"))
            continue
        filled = [c for c, v in enumerate(row) if v is not None and text(v) != ""]
        if not filled:
            continue
        own = [c for c in filled if marks[c] == OWN]
        number = r + 1
        if not own:
            reading.problems.append(Problem(reading.file, grid.name, number,
                                            "本行只有合并单元格延续下来的内容，没有自己的数据"))
            continue
        if _repeats_header(table, row, columns):
            continue
        if _is_heading(grid, r, own, filled, columns):
            heading = text(row[own[0]])
            if table == "powerlist" and not re.fullmatch(r"[\d.]+", heading):
                section_kind = kind_in_heading(heading)
            continue
        values: dict[str, object] = {}
        for c, name in columns.items():
            if c >= len(row) or marks[c] == ACROSS:
                continue
            v = row[c]
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            if name in values and name in JOINED:
                joined = text(values[name])
                if text(v) not in joined.split("\n"):
                    values[name] = f"{joined}\n{text(v)}"
            else:
                values.setdefault(name, v)
        values.pop("ignored", None)
        reading.records.append(Record(reading.file, grid.name, number, values, section_kind or sheet_kind, present))


def _repeats_header(table: str, row: list, columns: dict[int, str]) -> bool:
    """A header repeated inside the data (running headers of a list pasted from PDF pages)."""
    hits = sum(1 for c, name in columns.items() if c < len(row) and header_field(table, row[c]) == name)
    return hits >= 2


def _is_heading(grid: _Grid, r: int, own: list[int], filled: list[int], columns: dict[int, str]) -> bool:
    """A section heading: one cell of text merged across the row, or alone in an unnamed column."""
    if len(own) != 1 or len(filled) != 1:
        return False
    c = own[0]
    if (r, c) in grid.spans or columns.get(c) in (None, "ignored"):
        return True
    heading = text(grid.values[r][c])   # 一、行政许可 written in the name column of a CSV
    return bool(_ENUMERATED.match(heading)) and kind_in_heading(heading) is not None


_ENUMERATED = re.compile(r"^[一二三四五六七八九十]+[、.．]")
