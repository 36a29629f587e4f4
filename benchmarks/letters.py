"""Time to render each letter of the requests for disclosure to PDF
(WeasyPrint) and DOCX (python-docx): `make bench-letters`.

Prints, per kind, the mean and maximum over N renders (default 50) of the
HTML (Jinja), the PDF and the DOCX, after one cold render (WeasyPrint's
import and the font set-up), which is shown apart for comparison.
Needs no services: the letters are rendered from a sample request."""
from __future__ import annotations

import argparse
import io
import statistics
import time

import pypdf  # requirements-test.txt

from ckanext.nanjing import localtime, printing
from ckanext.nanjing.requests import letters


def sample(kind: str) -> dict:
    values = letters._sample(kind, "withhold")
    request = values["request"]
    request.update(number="宁发改公开申〔2026〕第3号", result="withhold_third_party",
                   result_label="保护第三方合法权益",
                   description="2025年南京市重大项目投资计划及其调整情况，包括各项目的投资额、建设单位和进度安排" * 3)
    request["applicant"]["name"] = "王晓明"
    values["org"] = {"title": "南京市发展和改革委员会", "name": "nanjing-fgw"}
    values["event"]["data"].update(
        items=["所需信息的具体项目名称", "所需信息的时间范围"], reasons=["涉及企业商业秘密，第三方不同意公开"] * 3,
        breakdown=["第1—30页：免费", "第31—100页：70页×10元＝700元"])
    return values


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return (time.perf_counter() - start) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50, help="renders of each kind (default 50)")
    args = parser.parse_args()
    n = max(1, min(args.n, 1000))

    cold_html, letter = timed(letters.render_html, "receipt", sample("receipt"))
    cold_pdf, _ = timed(printing.to_pdf, letter)
    cold_docx, _ = timed(printing.to_docx, letter)
    print(f"首次渲染（含 WeasyPrint 导入与字体加载）：HTML {cold_html:.0f} ms，"
          f"PDF {cold_pdf:.0f} ms，DOCX {cold_docx:.0f} ms")
    print(f"此后每类文书各渲染 {n} 次（ms，平均 / 最大）：")
    print(f"{'kind':<13}{'HTML':>14}{'PDF':>16}{'DOCX':>14}{'PDF KB':>9}{'pages':>7}")
    totals = {"html": [], "pdf": [], "docx": []}
    for kind in letters.KINDS:
        values = sample(kind)
        times = {"html": [], "pdf": [], "docx": []}
        for _ in range(n):
            ms, letter = timed(letters.render_html, kind, values)
            times["html"].append(ms)
            ms, pdf = timed(printing.to_pdf, letter)
            times["pdf"].append(ms)
            ms, _ = timed(printing.to_docx, letter)
            times["docx"].append(ms)
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        cells = "".join(f"{statistics.mean(times[f]):>9.1f} / {max(times[f]):>4.0f}" for f in times)
        print(f"{kind:<13}{cells}{len(pdf) / 1024:>9.0f}{pages:>7}")
        for f in times:
            totals[f] += times[f]
    cells = "".join(f"{statistics.mean(totals[f]):>9.1f} / {max(totals[f]):>4.0f}" for f in totals)
    print(f"{'all':<13}{cells}")
    print(f"PDF 与 DOCX 之比（平均）：{statistics.mean(totals['pdf']) / statistics.mean(totals['docx']):.1f} 倍；"
          f"日期 {localtime.today().isoformat()}")


if __name__ == "__main__":
    main()
