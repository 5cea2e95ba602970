"""Deterministic synthetic data at national scale (issue 2 §9).

Builds a realistic reporting tree — a national root › province boards ›
departments (with their offices), Front and organisations, districts › communes
› party cells — and exemplars with Vietnamese text. Tree paths are computed
here (treebeard's materialized-path format) so everything is bulk-inserted.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.db import connection, transaction

from danvan.exemplars.models import Exemplar, Field, FieldCategory, Movement
from danvan.foundation.html import paragraphs_to_html
from danvan.ops.demo import CATEGORIES, KINDS, LEVELS
from danvan.orgs.models import Level, OrgUnit, UnitKind

PARTY, STATE = "party", "state"  # DocFamily values

PROVINCES = [
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên",
    "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
    "Đắk Lắk", "Thành phố Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp",
    "Cà Mau", "An Giang",
]
DEPARTMENTS = [
    "Sở Khoa học và Công nghệ", "Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Y tế", "Sở Giáo dục và Đào tạo",
    "Sở Xây dựng", "Sở Công Thương", "Sở Nông nghiệp và Môi trường", "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Dân tộc và Tôn giáo", "Thanh tra tỉnh", "Văn phòng UBND tỉnh", "Sở Ngoại vụ", "Ban Quản lý Khu kinh tế",
]
# Centrally-run cities (DOMAIN.md §3b: 28 provinces, 6 cities): their Party committee is a Thành ủy, their
# People's Committee the city's, their departments and mass organisations the city's.
CITIES = {"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Thành phố Hồ Chí Minh", "Cần Thơ"}
DEPT_UNITS = ["Văn phòng", "Thanh tra", "Phòng Kế hoạch - Tài chính"]
FRONT = [
    "Ủy ban MTTQ Việt Nam tỉnh", "Hội Liên hiệp Phụ nữ tỉnh", "Hội Nông dân tỉnh", "Tỉnh đoàn",
    "Liên đoàn Lao động tỉnh", "Hội Cựu chiến binh tỉnh",
]
ACTIONS = [
    "Thực hiện tiết kiệm điện", "Tiếp công dân, giải quyết khiếu nại, tố cáo", "Chuyển đổi số", "Cải cách hành chính",
    "Vận động xây dựng nông thôn mới", "Giữ gìn vệ sinh môi trường", "Phòng chống tội phạm", "Hỗ trợ hộ nghèo",
    "Dân vận chính quyền", "Xây dựng đô thị văn minh", "Phát triển sản phẩm OCOP", "Khuyến học, khuyến tài",
    "Hòa giải ở cơ sở", "Phòng chống dịch bệnh", "Thu gom rác thải nhựa", "Vận động hiến đất làm đường",
    "Giải thưởng chất lượng", "Chăm sóc người có công", "An toàn giao thông", "Phát triển kinh tế hộ gia đình",
]
PLACES = ["trong cơ quan", "ở khu dân cư", "tại xã", "trong trường học", "trên địa bàn thôn", "ở cơ sở",
          "trong doanh nghiệp", "tại bộ phận một cửa", "trong đoàn viên, hội viên", "trong đồng bào dân tộc"]
SENTENCES = [
    "Hiện nay, tình trạng {a} còn nhiều hạn chế, một số cán bộ, công chức chưa quan tâm đúng mức.",
    "Đơn vị xây dựng mô hình {a} với các giải pháp cụ thể, gắn với nhiệm vụ chính trị được giao.",
    "Tổ chức tuyên truyền, vận động cán bộ, đảng viên và nhân dân gương mẫu thực hiện {a}.",
    "Phân công rõ người, rõ việc, thường xuyên kiểm tra, đôn đốc, biểu dương kịp thời.",
    "Phối hợp với Mặt trận Tổ quốc và các đoàn thể để nhân rộng cách làm hay {p}.",
    "Lắng nghe ý kiến của người dân, giải quyết kịp thời những kiến nghị chính đáng.",
    "Đưa nội dung {a} vào quy chế của đơn vị và đánh giá, xếp loại thi đua cuối năm.",
]
RESULTS = [
    "Góp phần nâng cao hiệu quả công tác dân vận, củng cố niềm tin của nhân dân đối với Đảng.",
    "Tiết kiệm chi phí, nâng cao chất lượng phục vụ người dân và doanh nghiệp.",
    "Tạo sự đồng thuận trong nhân dân, góp phần phát triển kinh tế - xã hội của địa phương.",
]


@dataclass
class GenStats:
    units: int = 0
    exemplars: int = 0
    seconds_tree: float = 0.0
    seconds_exemplars: float = 0.0
    seconds_index: float = 0.0
    seconds_tally: float = 0.0


class _PathMaker:
    """treebeard MP paths: each step is `steplen` base-36 digits."""

    alphabet = OrgUnit.alphabet
    steplen = OrgUnit.steplen

    def step(self, n: int) -> str:
        digits = ""
        base = len(self.alphabet)
        while n:
            n, r = divmod(n, base)
            digits = self.alphabet[r] + digits
        return digits.rjust(self.steplen, self.alphabet[0])


def _ensure_reference_data() -> dict:
    for code, name, rank in LEVELS + [("trung-uong", "Trung ương", 0)]:
        Level.objects.get_or_create(code=code, defaults={"name": name, "rank": rank if code != "tinh" else 1})
    for code, name in KINDS:
        UnitKind.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, order in CATEGORIES:
        FieldCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    movement = Movement.objects.filter(period_start=2021).first() or Movement.objects.create(
        name="Dân vận khéo", period_start=2021, period_end=2025, plans="Kế hoạch thực hiện phong trào"
    )
    return {
        "levels": {lv.code: lv for lv in Level.objects.all()},
        "kinds": {k.code: k for k in UnitKind.objects.all()},
        "categories": list(FieldCategory.objects.all()),
        "movement": movement,
    }


def _build_tree(prefix: str, provinces: int, districts: int, communes: int, ref: dict) -> list[OrgUnit]:
    pm = _PathMaker()
    lv, kd = ref["levels"], ref["kinds"]
    units: list[OrgUnit] = []
    last_root = OrgUnit.objects.get_last_root_node()
    root_index = (int(last_root.path[: pm.steplen], 36) + 1) if last_root else 1

    def make(parent: OrgUnit | None, idx: int, code: str, name: str, level: str, kind: str, family: str,
             superior: str, place: str) -> OrgUnit:
        path = (parent.path if parent else "") + pm.step(idx)
        u = OrgUnit(path=path, depth=(parent.depth + 1 if parent else 1), numchild=0, code=code, name=name,
                    level=lv[level], kind=kd[kind], doc_family=family, superior_name=superior,
                    place_name=place, doc_suffix=code.split("-")[0][:20])
        if parent:
            parent.numchild += 1
        units.append(u)
        return u

    root = make(None, root_index, f"{prefix}BDVTW", "Ban Dân vận Trung ương", "trung-uong", "trung-uong",
                PARTY, "BAN CHẤP HÀNH TRUNG ƯƠNG", "Hà Nội")
    for p in range(provinces):
        pname = PROVINCES[p % len(PROVINCES)] + (f" {p // len(PROVINCES) + 1}" if p >= len(PROVINCES) else "")
        pc = f"{prefix}P{p:03d}"
        city = PROVINCES[p % len(PROVINCES)] in CITIES
        committee = "Thành ủy" if city else "Tỉnh ủy"
        # "thành phố Hà Nội" / "tỉnh Lai Châu"; Thành phố Hồ Chí Minh already says what it is.
        place_full = pname if pname.startswith("Thành phố") else f"{'thành phố' if city else 'tỉnh'} {pname}"
        board = make(root, p + 1, f"{pc}-BDV", f"Ban Dân vận {committee} {pname}", "tinh", "ban-dang",
                     PARTY, f"{committee.upper()} {pname.upper()}", pname)
        i = 0
        for d, dname in enumerate(DEPARTMENTS):
            i += 1
            dname = _of_city(dname) if city else dname
            dept = make(board, i, f"{pc}-S{d:02d}", dname, "tinh", "so-nganh", STATE,
                        f"UBND {place_full.upper()}", pname)
            for k, uname in enumerate(DEPT_UNITS):
                make(dept, k + 1, f"{pc}-S{d:02d}-U{k}", f"{uname} {dname}", "co-so", "phong-don-vi",
                     STATE, dname.upper(), pname)
        for f, fname in enumerate(FRONT):
            i += 1
            make(board, i, f"{pc}-M{f}", _of_city(fname) if city else fname, "tinh", "mttq", STATE,
                 place_full.upper(), pname)
        for h in range(districts):
            i += 1
            dist = make(board, i, f"{pc}-H{h:02d}", f"Huyện ủy số {h + 1} {place_full}", "huyen", "huyen-uy",
                        PARTY, f"{committee.upper()} {pname.upper()}", pname)
            for x in range(communes):
                commune = make(dist, x + 1, f"{pc}-H{h:02d}-X{x:02d}", f"Đảng ủy xã số {x + 1}, huyện {h + 1}",
                               "co-so", "xa", PARTY, f"HUYỆN ỦY SỐ {h + 1}", pname)
                for c in range(5):
                    make(commune, c + 1, f"{pc}-H{h:02d}-X{x:02d}-C{c}", f"Chi bộ thôn {c + 1}, xã {x + 1}",
                         "co-so", "chi-bo", PARTY, f"ĐẢNG ỦY XÃ SỐ {x + 1}", pname)
    return units


def _of_city(name: str) -> str:
    """A province's body named for a centrally-run city: "Thanh tra tỉnh" → "Thanh tra thành phố", "Tỉnh đoàn" →
    "Thành đoàn"."""
    name = name.replace("Tỉnh đoàn", "Thành đoàn")
    return name.removesuffix(" tỉnh") + " thành phố" if name.endswith(" tỉnh") else name


def _exemplar_text(rng: random.Random) -> tuple[str, str, str, str]:
    a = rng.choice(ACTIONS)
    p = rng.choice(PLACES)
    name = f"{a} {p}"
    sents = rng.sample(SENTENCES, k=rng.randint(3, 5))
    problem = paragraphs_to_html([s.format(a=a.lower(), p=p) for s in sents])
    actors = paragraphs_to_html([rng.choice(["Cán bộ, công chức cơ quan", "Đoàn viên, hội viên", "Nhân dân thôn"])])
    results = paragraphs_to_html([rng.choice(RESULTS)])
    return name, problem, actors, results


def generate(*, provinces: int, exemplars: int, seed: int, districts: int = 12, communes: int = 20,
             batch: int = 5000) -> GenStats:
    rng = random.Random(seed)
    stats = GenStats()
    prefix = f"G{seed}-"
    if OrgUnit.objects.filter(code=f"{prefix}BDVTW").exists():
        raise ValueError(f"Dữ liệu tổng hợp với seed {seed} đã có; hãy dùng seed khác hoặc cơ sở dữ liệu mới.")
    t0 = time.perf_counter()
    ref = _ensure_reference_data()
    with transaction.atomic():
        units = _build_tree(prefix, provinces, districts, communes, ref)
        OrgUnit.objects.bulk_create(units, batch_size=batch)
    stats.units = len(units)
    stats.seconds_tree = time.perf_counter() - t0
    t1 = time.perf_counter()
    saved = list(OrgUnit.objects.filter(code__startswith=prefix).values_list("pk", "path", "depth"))
    # Each province board owns a few fields; exemplars are spread over leaf-ish units.
    boards = [(pk, path) for pk, path, depth in saved if depth == 2]
    fields_by_board: dict[str, list[int]] = {}
    with transaction.atomic():
        new_fields = [
            Field(owner_id=pk, name=f"Lĩnh vực {c.name}", category=c) for pk, _ in boards for c in ref["categories"]
        ]
        Field.objects.bulk_create(new_fields, batch_size=batch)
    for f in Field.objects.filter(owner__code__startswith=prefix).select_related("owner"):
        fields_by_board.setdefault(f.owner.path, []).append(f.pk)
    targets = [(pk, path) for pk, path, depth in saved if depth >= 3]
    movement = ref["movement"]
    steplen = OrgUnit.steplen
    rows: list[Exemplar] = []
    for n in range(exemplars):
        unit_pk, path = targets[rng.randrange(len(targets))]
        field_ids = fields_by_board[path[: 2 * steplen]]
        name, problem, actors, results = _exemplar_text(rng)
        rows.append(Exemplar(
            unit_id=unit_pk, year=rng.choice([2021, 2022, 2023, 2024, 2025]), movement=movement,
            field_id=rng.choice(field_ids), name=name, kind=rng.choice(["collective", "individual"]),
            address=f"Thôn {rng.randint(1, 12)}", content_problem=problem, content_actors=actors,
            content_results=results, origin="replication" if rng.random() < 0.15 else "new",
        ))
        if len(rows) >= batch:
            _flush(rows)
            rows = []
            stats.exemplars = n + 1
    if rows:
        _flush(rows)
    stats.exemplars = exemplars
    stats.seconds_exemplars = time.perf_counter() - t1
    # bulk_create sends no signals: index the new rows for search in one pass.
    from danvan.search.index import rebuild

    t2 = time.perf_counter()
    rebuild()
    stats.seconds_index = time.perf_counter() - t2
    # Nor are the counts of the country and the provinces kept in step: recount them (danvan/reports/tally.py).
    from danvan.reports import tally
    from danvan.reports.models import SubtreeTally
    from danvan.search.models import SearchEntry

    t3 = time.perf_counter()
    tally.rebuild()
    stats.seconds_tally = time.perf_counter() - t3
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # VACUUM cannot run in a transaction
        # A bulk load leaves no statistics and no visibility map: without them the planner guesses and the
        # index-only scans of the list pages read every row (the province's list: 466 ms instead of 72 ms).
        with connection.cursor() as cursor:
            for model in (OrgUnit, Exemplar, SearchEntry, SubtreeTally):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return stats


def _flush(rows: list[Exemplar]) -> None:
    with transaction.atomic():
        Exemplar.objects.bulk_create(rows, batch_size=len(rows))
