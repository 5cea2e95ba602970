"""Benchmark: a province-wide consolidated form as DOCX and XLSX.

``bench_documents(5000)`` is the acceptance check for big rounds: DOCX within
10 s and 500 MB, XLSX within 5 s. Memory is the peak resident-set growth,
sampled from /proc (lxml allocates outside Python, so tracemalloc misses it).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import random
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any

from danvan.documents.form_table import (
    FormGroup,
    FormItem,
    FormSpec,
    content_paragraphs,
    form_docx_bytes,
)
from danvan.documents.xlsx import form_xlsx_bytes
from danvan.foundation.html import paragraphs_to_html

TARGETS = {"docx_seconds": 10.0, "docx_peak_mb": 500.0, "xlsx_seconds": 5.0}

FIELDS = [
    "Lĩnh vực Tài chính, Văn phòng",
    "Lĩnh vực Tiêu chuẩn Đo lường Chất lượng",
    "Lĩnh vực thanh tra",
    "Lĩnh vực phát triển kinh tế",
    "Lĩnh vực văn hóa - xã hội",
    "Lĩnh vực quốc phòng - an ninh",
    "Lĩnh vực xây dựng hệ thống chính trị",
    "Lĩnh vực cải cách hành chính",
    "Lĩnh vực nông thôn mới",
    "Lĩnh vực đô thị văn minh",
]
SENTENCES = [
    "Hiện nay, việc tiết kiệm năng lượng nói chung và tiết kiệm điện nói riêng là quốc sách, "
    "là việc cần làm của mọi người.",
    "Cơ quan xây dựng mô hình với các giải pháp cụ thể, phân công rõ người, rõ việc, rõ thời gian.",
    "Công chức tiếp công dân phải có thái độ, cử chỉ lịch sự, đúng mực, nghiêm túc, tôn trọng "
    "quyền khiếu nại, tố cáo, kiến nghị, phản ánh của công dân.",
    "Áp dụng hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 vào hoạt động của cơ quan.",
    "Vận động doanh nghiệp tham gia Giải thưởng chất lượng quốc gia, nâng cao năng suất, "
    "chất lượng sản phẩm, hàng hóa.",
    "Thường xuyên nêu gương người tốt, việc tốt; những sáng kiến hiệu quả cần nhân rộng trong "
    "và ngoài cơ quan.",
    "Giải thích, hướng dẫn, vận động, thuyết phục là bước quan trọng, mấu chốt của công tác "
    "“Dân vận khéo”.",
    "Phối hợp với Mặt trận Tổ quốc và các đoàn thể vận động nhân dân hiến đất làm đường giao thông "
    "nông thôn.",
]


def synthetic_spec(n: int, *, seed: int = 2021) -> FormSpec:
    """n exemplars with 5–8 content paragraphs each, spread over ten fields."""
    rng = random.Random(seed)
    groups: list[list[FormItem]] = [[] for _ in FIELDS]
    for index in range(n):
        groups[index % len(FIELDS)].append(_item(rng, index))
    return FormSpec(
        groups=[FormGroup(f, items) for f, items in zip(FIELDS, groups, strict=True)],
        attached_to="(Kèm theo Công văn số: /SKHCN-VP ngày 27/4/2021 của Sở Khoa học và Công nghệ)",
        label="Biểu số 2",
    )


WORDS = sorted({word.strip("“”.,;:") for s in SENTENCES for word in s.split()} - {""})


def _paragraph(rng: random.Random) -> str:
    """A sentence of real text and random words (so it compresses like real text)."""
    words = " ".join(rng.choices(WORDS, k=rng.randint(40, 90)))
    return f"{rng.choice(SENTENCES)} {words.capitalize()}."


def _item(rng: random.Random, index: int) -> FormItem:
    problems = [_paragraph(rng) for _ in range(rng.randint(3, 5))]
    results = [_paragraph(rng) for _ in range(rng.randint(1, 2))]
    collective = rng.random() < 0.6
    return FormItem(
        name=f"Mô hình “Dân vận khéo” số {index + 1}: {rng.choice(SENTENCES)[:60]}",
        collective=collective,
        individual=not collective,
        address="202A, đường Trường Chinh, Thành phố Quảng Ngãi, tỉnh Quảng Ngãi",
        problem_html=paragraphs_to_html(problems),
        actors_html=paragraphs_to_html(["Công chức, người lao động Khối Văn phòng Sở"]),
        results_html=paragraphs_to_html(results),
        new=rng.random() < 0.8,
        replication=rng.random() < 0.2,
    )


class _PeakRss:
    """Sample the resident set size in a thread; report the growth in MB."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self.base = self.peak = _rss_bytes()

    def __enter__(self) -> _PeakRss:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_bytes())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())

    @property
    def growth_mb(self) -> float:
        return round((self.peak - self.base) / 2**20, 1)


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: the lifetime peak is the best we have
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _measure(build: Callable[[], bytes]) -> tuple[float, float, int]:
    gc.collect()
    with _PeakRss() as memory:
        start = time.perf_counter()
        data = build()
        seconds = time.perf_counter() - start
    return round(seconds, 2), memory.growth_mb, len(data)


def _isolated(build: Callable[[], bytes]) -> tuple[float, float, int]:
    """Measure in a forked child, so one build's freed memory can't hide the next's."""
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork (Windows, macOS spawn-only): measure in process
        return _measure(build)
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_measure, build).result()


def bench_documents(n: int = 5000) -> dict[str, Any]:
    spec = synthetic_spec(n)
    paragraphs = sum(len(content_paragraphs(i)) for g in spec.groups for i in g.items)
    docx_seconds, docx_mb, docx_size = _isolated(partial(form_docx_bytes, spec))
    xlsx_seconds, xlsx_mb, xlsx_size = _isolated(partial(form_xlsx_bytes, spec))
    result: dict[str, Any] = {
        "n": n,
        "content_paragraphs": paragraphs,
        "docx_seconds": docx_seconds,
        "docx_peak_mb": docx_mb,
        "docx_size_mb": round(docx_size / 2**20, 2),
        "xlsx_seconds": xlsx_seconds,
        "xlsx_peak_mb": xlsx_mb,
        "xlsx_size_mb": round(xlsx_size / 2**20, 2),
        "targets": dict(TARGETS),
    }
    result["within_targets"] = all(result[key] <= limit for key, limit in TARGETS.items())
    return result
