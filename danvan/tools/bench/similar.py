"""`danvan bench similarity`: does a reworded copy of an exemplar find its source?

A labelled set built from synthetic data: a small corpus of synthetic exemplars (own units, own
field, written in one transaction that is rolled back, so the bench leaves the database as it was),
and for each of `queries` sources a variant of the kind people really type — names paraphrased with
synonym swaps, content sentences reordered, accents stripped, words dropped. The true source must be
in the top 5 (target ≥ 90 %); prints precision@1, recall@5, MRR and the time per query.
"""

from __future__ import annotations

import random
import re
import statistics
import time

from django.db import transaction

from danvan.exemplars.models import Exemplar, Field
from danvan.foundation.html import html_to_text
from danvan.orgs.models import OrgUnit
from danvan.search.index import branch_of, entry_values
from danvan.search.models import SearchEntry
from danvan.search.similar import Draft, rank
from danvan.search.text import fold
from danvan.tools.synthetic import _build_tree, _ensure_reference_data, _exemplar_text

SYNONYMS = [
    ("Thực hiện", "Triển khai"), ("thực hiện", "triển khai"), ("Vận động", "Tuyên truyền, vận động"),
    ("Giữ gìn", "Bảo vệ"), ("Hỗ trợ", "Giúp đỡ"), ("Phòng chống", "Phòng, chống"), ("trong cơ quan", "tại cơ quan"),
    ("ở khu dân cư", "tại khu dân cư"), ("tại xã", "ở xã"), ("Phát triển", "Đẩy mạnh phát triển"),
    ("Chăm sóc", "Quan tâm, chăm lo"), ("Thu gom", "Phân loại, thu gom"), ("Cải cách hành chính",
    "Cải cách thủ tục hành chính"), ("tiết kiệm điện", "sử dụng điện tiết kiệm"), ("Chuyển đổi số",
    "Đẩy mạnh chuyển đổi số"), ("An toàn giao thông", "Bảo đảm trật tự an toàn giao thông"),
    ("trong trường học", "ở trường học"), ("ở cơ sở", "tại cơ sở"), ("trên địa bàn thôn", "tại thôn"),
    ("Xây dựng", "Chung tay xây dựng"), ("Hòa giải", "Làm tốt công tác hòa giải"), ("nhân dân", "người dân"),
    ("tuyên truyền", "phổ biến"), ("kịp thời", "nhanh chóng"), ("thường xuyên", "định kỳ"),
]
PREFIXES = ["Mô hình ", "Mô hình “", "Đẩy mạnh ", ""]


def _swap(text: str, rng: random.Random, k: int) -> str:
    pairs = [p for p in SYNONYMS if p[0] in text]
    for a, b in rng.sample(pairs, k=min(k, len(pairs))):
        text = text.replace(a, b, 1)
    return text


def _drop_words(text: str, rng: random.Random, share: float) -> str:
    words = text.split()
    kept = [w for w in words if rng.random() >= share]
    return " ".join(kept or words)


def variant(name: str, content: str, rng: random.Random) -> tuple[str, str, list[str]]:
    """A reworded copy: synonyms, a prefix, reordered sentences, dropped words, sometimes no accents."""
    kinds = ["synonyms"]
    new_name = _swap(name, rng, 2)
    if rng.random() < 0.4:
        new_name = rng.choice(PREFIXES) + new_name[0].lower() + new_name[1:]
        kinds.append("prefix")
    if rng.random() < 0.3:
        new_name = _drop_words(new_name, rng, 0.15)
        kinds.append("name_words_dropped")
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", content) if s.strip()]
    rng.shuffle(sentences)
    kinds.append("reordered")
    if len(sentences) > 3 and rng.random() < 0.5:
        sentences.pop(rng.randrange(len(sentences)))
        kinds.append("sentence_dropped")
    new_content = _drop_words(_swap(" ".join(sentences), rng, 3), rng, 0.15)
    kinds.append("words_dropped")
    if rng.random() < 0.4:
        new_name, new_content = fold(new_name), fold(new_content)
        kinds.append("accents_stripped")
    return new_name, new_content, kinds


def _corpus(rng: random.Random, size: int) -> tuple[OrgUnit, list[Exemplar]]:
    ref = _ensure_reference_data()
    prefix = f"SIMB{rng.randrange(10**6)}-"
    units = _build_tree(prefix, 1, 2, 3, ref)
    OrgUnit.objects.bulk_create(units)
    root = OrgUnit.objects.get(code=f"{prefix}BDVTW")
    saved = list(OrgUnit.objects.filter(code__startswith=prefix, depth__gte=3))
    field = Field.objects.create(owner=root, name="Lĩnh vực đo độ tương tự", category=ref["categories"][0])
    rows = []
    for _ in range(size):
        name, problem, actors, results = _exemplar_text(rng)
        rows.append(Exemplar(unit=rng.choice(saved), year=rng.choice([2022, 2023, 2024]), movement=ref["movement"],
                             field=field, name=name, kind="collective", address=f"Thôn {rng.randint(1, 12)}",
                             content_problem=problem, content_actors=actors, content_results=results))
    made = Exemplar.objects.bulk_create(rows)
    SearchEntry.objects.bulk_create([SearchEntry(exemplar_id=e.pk, branch=branch_of(e.unit.path), **dict(zip(
        ("name_folded", "body_folded"), entry_values(e, e.unit.name), strict=True))) for e in made])
    from danvan.reports.tally import refresh_units

    refresh_units([root])  # bulk_create sends no signals: count the new subtree
    return root, made


def bench_similarity(queries: int = 120, corpus: int = 400, seed: int = 7) -> dict:
    rng = random.Random(seed)
    with transaction.atomic():
        root, made = _corpus(rng, corpus)
        base = Exemplar.objects.filter(unit__path__startswith=root.path)
        # Exact copies (same name and content) are the same model: finding either counts.
        same: dict[tuple[str, str], set[int]] = {}
        texts = {}
        for e in made:
            content = " ".join(html_to_text(x) for x in (e.content_problem, e.content_actors, e.content_results))
            texts[e.pk] = content
            same.setdefault((e.name, content), set()).add(e.pk)
        sources = rng.sample(made, k=min(queries, len(made)))
        at1 = in5 = 0
        rr = 0.0
        times = []
        by_kind: dict[str, list[int]] = {}
        for src in sources:
            name, content, kinds = variant(src.name, texts[src.pk], rng)
            truth = same[(src.name, texts[src.pk])]
            t = time.perf_counter()
            found = rank(None, Draft(name, content), limit=5, base=base)
            times.append(time.perf_counter() - t)
            ids = [s.exemplar.pk for s in found]
            pos = next((i for i, pk in enumerate(ids) if pk in truth), None)
            at1 += pos == 0
            in5 += pos is not None
            rr += 1 / (pos + 1) if pos is not None else 0.0
            for k in kinds:
                by_kind.setdefault(k, []).append(pos is not None)
        transaction.set_rollback(True)
    n = len(sources)
    times.sort()
    return {
        "queries": n, "corpus": len(made), "precision_at_1": round(at1 / n, 3), "recall_at_5": round(in5 / n, 3),
        "mrr": round(rr / n, 3), "target_recall_at_5": 0.9, "passed": in5 / n >= 0.9,
        "recall_at_5_by_variant": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())},
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 1),
    }
