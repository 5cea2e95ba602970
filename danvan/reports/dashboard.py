"""The dashboard of a node: what its subtree registered, built, replicated and had recognized, as tables.

Every number comes from `reports.stats.compute` (one grouped scan of the subtree's exemplars, plus small
queries on recognitions, commendations and rounds), `movement.selectors.completeness_by_family` (round
completeness, one grouped query) and one grouped query for the most replicated models, whose spread down
the generations is `exemplars.selectors.spread`. Each table is drawn as an SVG bar chart (`core.charts`)
and downloaded as CSV or XLSX with exactly the rows the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import Count
from django.utils import timezone
from django.utils.safestring import SafeString

from danvan.documents.services import DocumentError, NoSuchDocument, Rendered, need_format
from danvan.exemplars.models import CommendationForm, Exemplar, Kind, Movement, Origin
from danvan.exemplars.selectors import spread
from danvan.foundation.cells import csv_bytes
from danvan.foundation.charts import bar_chart
from danvan.foundation.params import query_int
from danvan.movement.models import RegistrationRound, RoundKind
from danvan.movement.selectors import completeness_by_family
from danvan.orgs.models import OrgUnit

from . import stats

TOP_N = 10
MAX_ROUNDS = 20
MAX_YEARS = 30
MIN_YEAR, MAX_YEAR = 1990, 2100


@dataclass
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list]
    bars: list[int]  # numeric columns drawn as (stacked) bars
    unit: str = "mô hình"
    total: list | None = None
    note: str = ""
    links: list[str | None] = field(default_factory=list)  # per row, page only (not in downloads)
    text_cols: tuple[int, ...] = ()  # columns that hold text, not a number to format (a year: 2022, not 2.022)
    chart_labels: list[str] | None = None  # shorter row labels for the chart when the first column is long

    @property
    def wide(self) -> bool:
        """Many columns: the page puts the chart above the table instead of beside it."""
        return len(self.headers) > 5

    @property
    def chart(self) -> SafeString:
        return bar_chart(self.title, self.chart_labels or [r[0] for r in self.rows],
                         [(self.headers[c], [r[c] for r in self.rows]) for c in self.bars], self.unit)

    @property
    def rows_with_links(self) -> list[tuple[list, str | None]]:
        links = self.links or [None] * len(self.rows)
        return list(zip(self.rows, links, strict=False))

    def data(self) -> list[list]:
        """What the downloads hold: the rows, then the total row."""
        return [*self.rows, *([self.total] if self.total else [])]


@dataclass
class Dashboard:
    node: OrgUnit
    movement: Movement | None
    year_from: int
    year_to: int
    stats: stats.Stats
    tables: list[Table]

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.tables if t.slug == slug), None)

    @property
    def scope_line(self) -> str:
        years = str(self.year_from) if self.year_from == self.year_to else f"{self.year_from} - {self.year_to}"
        mv = f"phong trào {self.movement}" if self.movement else "mọi phong trào"
        return f"{self.node.name} và các đơn vị trực thuộc — năm {years}, {mv}"


@dataclass
class Params:
    """What a dashboard is asked for, after the fallbacks: `notes` say what was changed and why."""

    movement: Movement | None
    year_from: int
    year_to: int
    notes: list[str]
    unknown_movement: bool = False  # a movement id that does not exist (the page shows every movement)


ALL_MOVEMENTS = "tat-ca"


def params(movement: str | None, year_from: str | int | None, year_to: str | int | None) -> Params:
    """The movement and years asked for (page: `phong_trao`, `tu`, `den`; API: the same values).

    No movement given: the latest; "" or "tat-ca": every movement; an unknown one: every movement, with a note.
    A year that is not a year falls back to the movement's default range; years given the wrong way round
    are swapped; at most MAX_YEARS years (the earliest are dropped).
    """
    notes: list[str] = []
    chosen: Movement | None
    unknown = False
    if movement is None:
        chosen = Movement.objects.order_by("-period_start").first()
    elif movement in ("", ALL_MOVEMENTS):
        chosen = None
    else:
        number = query_int(movement)
        chosen = Movement.objects.filter(pk=number).first() if number is not None else None
        if chosen is None:
            unknown = True
            notes.append("Không có phong trào đã chọn: hiển thị mọi phong trào.")
    default_from, default_to = default_range(chosen)

    def year(value: str | int | None, default: int) -> int:
        text = "" if value is None else str(value).strip()
        if not text:
            return default
        if query_int(text, minimum=MIN_YEAR, maximum=MAX_YEAR) is None:
            notes.append(f"Năm “{text[:20]}” không hợp lệ: dùng năm {default}.")
            return default
        return int(text)

    first, last = year(year_from, default_from), year(year_to, default_to)
    if first > last:
        notes.append("“Từ năm” sau “đến năm”: đã đổi chỗ hai năm.")
        first, last = last, first
    if last - first + 1 > MAX_YEARS:
        first = last - MAX_YEARS + 1
        notes.append(f"Chỉ thống kê tối đa {MAX_YEARS} năm: từ năm {first}.")
    return Params(chosen, first, last, notes, unknown)


def default_range(movement: Movement | None) -> tuple[int, int]:
    this_year = timezone.localdate().year
    if movement is None:
        return this_year, this_year
    return movement.period_start, max(movement.period_start, min(movement.period_end, this_year))


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _counts_row(label: str, c: stats.Counts, *extra) -> list:
    return [label, c.collective, c.individual, c.total, *extra]


def most_replicated(node: OrgUnit, movement: Movement | None, year_from: int, year_to: int,
                    limit: int = TOP_N) -> list[tuple[Exemplar, int, int]]:
    """Models of the subtree most replicated by replicas registered in the years (anywhere in the tree):
    one grouped query ranks them; `spread` then counts each one's replicas down every generation."""
    # `source__isnull` lets PostgreSQL read only the rows that have a source (index on source_id).
    replicas = Exemplar.objects.alive().filter(origin=Origin.REPLICATION, source__isnull=False,
                                               source__deleted_at__isnull=True,
                                               source__unit__path__startswith=node.path,
                                               year__gte=year_from, year__lte=year_to)
    if movement is not None:
        replicas = replicas.filter(movement=movement)
    ranked = list(replicas.values("source").annotate(n=Count("id")).order_by("-n", "source")[:limit])
    sources = Exemplar.objects.select_related("unit").in_bulk([r["source"] for r in ranked])
    return [(sources[r["source"]], r["n"], spread(sources[r["source"]]).total) for r in ranked]


def build(node: OrgUnit, movement: Movement | None, year_from: int, year_to: int) -> Dashboard:
    s = stats.compute(node, movement, year_from, year_to, held=False)
    tables: list[Table] = []
    kinds = [Kind.COLLECTIVE.label, Kind.INDIVIDUAL.label]
    ck = ["Tập thể", "Cá nhân", "Tổng số"]

    tables.append(Table(
        "nam", "Mô hình đã nhập theo năm", ["Năm", *ck, "Trong đó nhân rộng", "Đã xây dựng"],
        [_counts_row(str(y.year), y.registered, y.replicated.total, y.built.total) for y in s.years], [1, 2],
        total=_counts_row("Tổng cộng", s.registered, s.replicated.total, s.built.total)))
    tables.append(Table(
        "linh-vuc", "Mô hình theo lĩnh vực", ["Lĩnh vực", *ck, "Đã xây dựng", "Tỷ lệ xây dựng (%)"],
        [_counts_row(c.name, c.registered, c.built.total, c.rate) for c in s.categories], [1, 2],
        total=_counts_row("Tổng cộng", s.registered, s.built.total, _pct(s.built.total, s.registered.total))))
    tables.append(Table(
        "hinh-thuc", "Mô hình theo hình thức", ["Hình thức", "Số mô hình", "Tỷ lệ (%)"],
        [[kinds[0], s.registered.collective, _pct(s.registered.collective, s.registered.total)],
         [kinds[1], s.registered.individual, _pct(s.registered.individual, s.registered.total)]], [1],
        total=["Tổng cộng", s.registered.total, 100.0 if s.registered.total else None]))
    new = s.registered.total - s.replicated.total
    tables.append(Table(
        "nguon-goc", "Mô hình xây dựng mới và nhân rộng", ["Nguồn gốc", "Số mô hình", "Tỷ lệ (%)"],
        [[Origin.NEW.label, new, _pct(new, s.registered.total)],
         [Origin.REPLICATION.label, s.replicated.total, _pct(s.replicated.total, s.registered.total)]], [1],
        total=["Tổng cộng", s.registered.total, 100.0 if s.registered.total else None]))
    tables.append(Table(
        "cap", "Mô hình theo cấp của đơn vị đăng ký", ["Cấp", *ck, "Trong đó nhân rộng", "Số đơn vị đã gửi đăng ký"],
        [_counts_row(lv.name, lv.registered, lv.replicated.total, lv.registering_units) for lv in s.levels], [1, 2],
        total=_counts_row("Tổng cộng", s.registered, s.replicated.total,
                          sum(lv.registering_units for lv in s.levels))))
    tables.append(Table(
        "cong-nhan", "Mô hình được công nhận theo năm quyết định", ["Năm", *ck],
        [_counts_row(str(y.year), y.recognized) for y in s.years], [1, 2],
        total=_counts_row("Tổng cộng (mỗi mô hình tính một lần)", s.recognized),
        note="Theo ngày của quyết định công nhận; một mô hình được công nhận ở nhiều cấp chỉ tính một lần."))
    tables.append(Table(
        "cong-nhan-cap", "Mô hình được công nhận theo cấp công nhận", ["Cấp công nhận", *ck],
        [_counts_row(lv.name, lv.recognized) for lv in s.levels], [1, 2]))
    tables.append(Table(
        "khen-thuong", "Biểu dương, khen thưởng", ["Hình thức", "Số quyết định"],
        [[f.label, s.commended.get(f.value, 0)] for f in CommendationForm], [1], unit="quyết định",
        total=["Tổng cộng", sum(s.commended.values())]))
    tables.append(Table(
        "nhan-rong", "Mô hình nhân rộng theo cấp của đơn vị nhân rộng", ["Cấp", *ck],
        [_counts_row(lv.name, lv.replicated) for lv in s.levels], [1, 2],
        total=_counts_row("Tổng cộng", s.replicated)))

    families = RegistrationRound.objects.filter(kind=RoundKind.REGISTRATION, parent_round__isnull=True,
                                                year__gte=year_from, year__lte=year_to,
                                                submissions__unit_path__startswith=node.path)
    if movement is not None:
        families = families.filter(movement=movement)
    families = RegistrationRound.objects.filter(pk__in=families.values("pk")).select_related("issuer").order_by(
        "-year", "-deadline")[:MAX_ROUNDS]
    done = completeness_by_family(node, families)
    tables.append(Table(
        "hoan-thanh", "Tiến độ gửi đăng ký của các đợt",
        ["Đợt đăng ký", "Năm", "Số đơn vị phải gửi", "Đã gửi đúng hạn", "Đã gửi muộn hạn", "Đã tiếp nhận",
         "Bị trả lại", "Chưa gửi", "Tỷ lệ đã gửi (%)"],
        [[f"{c['round'].title} ({c['round'].issuer.name})", str(c["round"].year), c["expected"], c["on_time"], c["late"],
          c["accepted"], c["returned"], c["expected"] - c["submitted"], c["rate"]] for c in done], [3, 4],
        unit="đơn vị", links=[f"/dot-dang-ky/{c['round'].pk}/?don_vi={quote(node.code)}" for c in done],
        text_cols=(1,), chart_labels=[f"Năm {c['round'].year} · {c['round'].issuer.name}" for c in done],
        note="Mỗi đợt gồm cả các đợt chuyển tiếp xuống cấp dưới; chỉ tính các đơn vị trong phạm vi này."))

    top = most_replicated(node, movement, year_from, year_to)
    tables.append(Table(
        "nhan-rong-nhieu", "Mô hình được nhân rộng nhiều nhất",
        ["Mô hình", "Đơn vị", "Năm", "Số mô hình nhân rộng trong giai đoạn", "Tổng số nhân rộng (mọi thế hệ)"],
        [[ex.name, ex.unit.name, str(ex.year), n, total] for ex, n, total in top], [3],
        links=[f"/mo-hinh/{ex.pk}/" for ex, *_ in top], text_cols=(1, 2),
        note="Mô hình của đơn vị và cấp dưới, xếp theo số mô hình nhân rộng trực tiếp đăng ký trong giai đoạn "
             "(ở bất kỳ đơn vị nào)."))
    return Dashboard(node=node, movement=movement, year_from=year_from, year_to=year_to, stats=s, tables=tables)


DOWNLOAD_FORMATS = ("csv", "xlsx")
ALL_TABLES = "tat-ca"  # the download slug of every table in one workbook
CSV_MIME = "text/csv; charset=utf-8"


def render_download(node: OrgUnit, p: Params, slug: str, fmt: str) -> Rendered:
    """One table as CSV or XLSX, or every table ("tat-ca") as one XLSX, with exactly the rows the page shows.

    A format other than CSV/XLSX (or every table as CSV) → DocumentError; an unknown table → NoSuchDocument.
    """
    need_format(fmt, DOWNLOAD_FORMATS)
    if slug == ALL_TABLES and fmt != "xlsx":
        raise DocumentError("Tất cả các bảng chỉ tải được dạng xlsx.", "unsupported_format")
    dash = build(node, p.movement, p.year_from, p.year_to)
    years = f"{p.year_from}" if p.year_from == p.year_to else f"{p.year_from}-{p.year_to}"
    if slug == ALL_TABLES:
        return Rendered(to_xlsx(dash, dash.tables), f"thong-ke-{node.code}-{years}.xlsx", fmt)
    table = dash.table(slug)
    if table is None:
        raise NoSuchDocument(slug)
    name = f"thong-ke-{table.slug}-{node.code}-{years}.{fmt}"
    if fmt == "csv":
        return Rendered(to_csv(table), name, fmt, mime=CSV_MIME)
    return Rendered(to_xlsx(dash, [table]), name, fmt)


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM (Excel opens Vietnamese correctly), plain numbers, the total row last."""
    return csv_bytes(table.headers, table.data())


def to_xlsx(dash: Dashboard, tables: list[Table]) -> bytes:
    from danvan.documents.xlsx import data_tables_xlsx_bytes

    return data_tables_xlsx_bytes([(t.slug, t.title, t.headers, t.data(), t.note) for t in tables],
                                  unit_line=dash.scope_line)
