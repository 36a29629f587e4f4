"""The platform's printer: an HTML document (a request letter, the yearly
report) printed to PDF by WeasyPrint (A4, margins of 公文 practice,
GB/T 9704-2012; Debian's Noto CJK fonts) and rebuilt as a DOCX with
python-docx: its headings, paragraphs, lists and tables in the same order
and alignment as the PDF. `plain_text` gives the same document as text.
"""
from __future__ import annotations

import dataclasses
import html.parser
import io
import re

__all__ = ["Document", "plain_text", "to_pdf", "to_docx", "MAX_SPAN"]


@dataclasses.dataclass
class Document:
    kind: str
    title: str
    html: str
    text: str


# Characters XML 1.0 cannot hold: python-docx and the PDF refuse them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CENTER = {"number", "center", "title"}
_RIGHT = {"signature", "date", "right", "sign"}
_FLUSH = {"addressee", "noindent", "note-flush"} | _CENTER | _RIGHT


# A table cell spans at most this many rows or columns (a hostile template
# value must not make a DOCX of millions of cells).
MAX_SPAN = 50


@dataclasses.dataclass
class _Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False


@dataclasses.dataclass
class _Block:
    tag: str
    classes: set[str]
    runs: list[list] = dataclasses.field(default_factory=list)  # [text, bold]
    rows: list[list[_Cell]] = dataclasses.field(default_factory=list)
    number: int = 0

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)


class _Parser(html.parser.HTMLParser):
    BLOCKS = {"h1", "h2", "h3", "h4", "p", "li"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.block: _Block | None = None
        self.table: _Block | None = None
        self.cell: list[str] | None = None
        self.cell_shape: dict = {}
        self.lists: list[list] = []  # [tag, count]
        self.bold = 0
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        if tag in ("style", "title", "script", "head"):
            self.skip += 1
        elif tag in ("ol", "ul"):
            self.lists.append([tag, 0])
        elif tag == "table":
            self._close()
            self.table = _Block("table", classes)
        elif tag == "tr" and self.table is not None:
            self.table.rows.append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
            self.cell_shape = {"colspan": _span(attrs, "colspan"), "rowspan": _span(attrs, "rowspan"),
                               "header": tag == "th"}
        elif tag in self.BLOCKS and self.table is None:
            self._close()
            self.block = _Block(tag, classes)
            if tag == "li" and self.lists:
                self.lists[-1][1] += 1
                self.block.number = self.lists[-1][1] if self.lists[-1][0] == "ol" else 0
        elif tag in ("div", "section") and self.table is None:
            self._close()
        elif tag in ("b", "strong"):
            self.bold += 1
        elif tag == "br":
            self.handle_data("\n", raw=True)

    def handle_endtag(self, tag):
        if tag in ("style", "title", "script", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        elif tag in ("td", "th") and self.table is not None and self.cell is not None:
            if self.table.rows:
                self.table.rows[-1].append(_Cell(" ".join("".join(self.cell).split()),
                                                 **self.cell_shape))
            self.cell = None
        elif tag == "table" and self.table is not None:
            self.table.rows = [row for row in self.table.rows if row]
            self.blocks.append(self.table)
            self.table = None
        elif tag in self.BLOCKS or (tag in ("div", "section") and self.table is None):
            self._close()
        elif tag in ("b", "strong"):
            self.bold = max(0, self.bold - 1)

    def handle_data(self, data, raw=False):
        if self.skip:
            return
        if not raw:
            data = re.sub(r"\s+", " ", data)
        if self.cell is not None:
            self.cell.append(data)
        elif self.table is None and data.strip():
            if self.block is None:  # loose text: a paragraph of its own
                self.block = _Block("p", set())
            self.block.runs.append([data, bool(self.bold)])
        elif self.block is not None and data:
            self.block.runs.append([data, bool(self.bold)])

    def _close(self):
        block, self.block = self.block, None
        if block is None:
            return
        if block.runs:  # trim the whitespace the template's layout left
            block.runs[0][0] = block.runs[0][0].lstrip(" ")
            block.runs[-1][0] = block.runs[-1][0].rstrip(" ")
        if block.text.strip():
            self.blocks.append(block)

    def close(self):
        super().close()
        self._close()


def _span(attrs: list, name: str) -> int:
    value = dict(attrs).get(name) or "1"
    return min(max(int(value), 1), MAX_SPAN) if value.isascii() and value.isdigit() else 1


def _grid(rows: list[list[_Cell]]) -> tuple[int, list[tuple[int, int, int, _Cell]]]:
    """Where each cell sits in the table's grid, as HTML lays it out: a cell
    takes the next column that no cell spanning from a row above holds.
    Answers the number of columns and (row, column, rows spanned, cell)."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            spanned = min(cell.rowspan, len(rows) - r)
            taken.update((r + dr, c + dc) for dr in range(spanned) for dc in range(cell.colspan))
            placed.append((r, c, spanned, cell))
            c += cell.colspan
    return (max(c for _, c in taken) + 1 if taken else 0), placed


def _blocks(body: str) -> list[_Block]:
    parser = _Parser()
    parser.feed(_NOT_XML.sub("", body))
    parser.close()
    return parser.blocks


def _text(blocks: list[_Block]) -> str:
    lines = []
    for block in blocks:
        if block.tag == "table":
            lines.extend("：".join(cell.text for cell in row if cell.text) for row in block.rows)
        elif block.tag == "li":
            lines.append((f"{block.number}. " if block.number else "· ") + block.text)
        else:
            lines.append(block.text)
    return "\n".join(lines) + "\n"


def plain_text(body: str) -> str:
    """The text of a document's HTML, paragraph by paragraph (tables row by row)."""
    return _text(_blocks(body))


def to_pdf(letter: Document) -> bytes:
    """The document printed by WeasyPrint (fonts from fontconfig: fonts-noto-cjk)."""
    import weasyprint  # slow to import, and needs Pango: only when printing
    return weasyprint.HTML(string=_NOT_XML.sub("", letter.html)).write_pdf()


# 公文 layout (GB/T 9704-2012): A4, 版心 156 × 225 mm from 37 mm top and 28 mm left;
# body in 3号 (16 pt) with 28 characters a line, the title in 2号 (22 pt).
PAGE_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BODY_PT, TITLE_PT, LINE_PT = 16, 22, 28.9
# Word has 宋体 and 黑体; the Noto fonts are named for Latin text and as the
# fallback where 宋体 is missing (LibreOffice on Debian).
EAST_ASIA, EAST_ASIA_TITLE, LATIN = "宋体", "黑体", "Noto Serif CJK SC"


def _fonts(element, latin: str, east_asia: str) -> None:
    from docx.oxml.ns import qn
    fonts = element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _page_number(paragraph) -> None:
    """The foot of the page: — 1 —, as in the PDF (Word fills in the PAGE field)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ").font.size = Pt(14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —").font.size = Pt(14)


def to_docx(letter: Document) -> bytes:
    """The document as a Word document: its headings, paragraphs, lists and
    tables, in the same order and alignment as the PDF."""
    import docx
    from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(PAGE_MM["top"]), Mm(PAGE_MM["bottom"])
    section.left_margin, section.right_margin = Mm(PAGE_MM["left"]), Mm(PAGE_MM["right"])
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element, LATIN, EAST_ASIA)
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    normal.paragraph_format.space_after = Pt(0)
    _page_number(section.footer.paragraphs[0])
    document.core_properties.title = letter.title
    document.core_properties.language = "zh-CN"

    for block in _blocks(letter.html):
        if block.tag == "table":
            columns, placed = _grid(block.rows)
            if not columns:
                continue
            table = document.add_table(rows=len(block.rows), cols=columns)
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for r, c, spanned, cell in placed:
                target = table.cell(r, c)
                if spanned > 1 or cell.colspan > 1:  # merged as the HTML merges it
                    target = target.merge(table.cell(r + spanned - 1, min(c + cell.colspan, columns) - 1))
                    target.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
                target.text = cell.text
                for paragraph in target.paragraphs:
                    paragraph.paragraph_format.first_line_indent = Pt(0)
                    for run in paragraph.runs:
                        run.font.size = Pt(BODY_PT - 2)
                        run.bold = cell.header or (c == 0 and columns > 1)
            document.add_paragraph()
            continue
        paragraph = document.add_paragraph()
        form = paragraph.paragraph_format
        heading = block.tag.startswith("h")
        if block.tag == "h1" or block.classes & _CENTER:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.classes & _RIGHT:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if block.tag == "p" and not block.classes & _FLUSH:
            form.first_line_indent = Pt(2 * BODY_PT)
        if block.tag == "h1" or "number" in block.classes:
            form.space_after = Pt(LINE_PT)
            form.line_spacing = Pt(TITLE_PT * 1.5)
        if block.tag == "li":
            form.left_indent = Pt(2 * BODY_PT)
            paragraph.add_run(f"{block.number}. " if block.number else "· ")
        for text, bold in block.runs:
            for index, part in enumerate(text.split("\n")):
                if index:
                    paragraph.add_run().add_break()
                if not part:
                    continue
                run = paragraph.add_run(part)
                run.bold = bold or heading
                if block.tag == "h1":
                    run.font.size = Pt(TITLE_PT)
                    _fonts(run._element, LATIN, EAST_ASIA_TITLE)
                elif heading:
                    _fonts(run._element, LATIN, EAST_ASIA_TITLE)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
