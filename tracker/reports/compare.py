"""What the human reports say about goals without a number and about the methods compared.

    target_words(row, lang)   # "keep improving ↑" for an `improve: true` goal, else None
    fragile_words(row, lang)  # "methods disagree" beside a fragile goal's status, else ""
    section(rows, ctx)        # None unless the run compared methods (assessment: {compare})
        .heading, .intro, .lines  # one line per fragile goal: which method says what

Plain unescaped text, like content.py: markdown.py and html.py escape and lay it out.
The methods are described, with their sources, in docs/methods.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import METHODS
from .context import ReportContext
from .i18n import status_name

Row = dict[str, Any]

METHOD_NAMES = {
    "en": {
        "statcan": "Statistics Canada / Open SDG",
        "unsd": "UN Statistics Division (Progress Chart)",
        "linear": "linear pace (SDSN)",
    },
    "vi": {
        "statcan": "Thống kê Canada / Open SDG",
        "unsd": "Cơ quan Thống kê Liên Hợp Quốc (Progress Chart)",
        "linear": "tốc độ tuyến tính (SDSN)",
    },
}

_TEXT = {
    "en": {
        "improve_up": "keep improving ↑",
        "improve_down": "keep improving ↓",
        "fragile": "methods disagree",
        "heading": "Methods compared",
        "intro": "The Status column follows the {method} method. Each goal was also judged by "
        "the other published methods (docs/methods.md).",
        "some": "{n} of {total} goals are fragile: the methods do not agree on them.",
        "none": "They agree on every goal.",
        "no_rule": "no rule for a goal without a number",
    },
    "vi": {
        "improve_up": "tiếp tục cải thiện ↑",
        "improve_down": "tiếp tục cải thiện ↓",
        "fragile": "các phương pháp đánh giá khác nhau",
        "heading": "So sánh các phương pháp đánh giá",
        "intro": "Cột Trạng thái theo phương pháp {method}. Mỗi mục tiêu còn được đánh giá "
        "theo các phương pháp đã công bố khác (docs/methods.md).",
        "some": "{n} trên {total} mục tiêu chưa chắc chắn: các phương pháp không thống nhất.",
        "none": "Các phương pháp thống nhất ở mọi mục tiêu.",
        "no_rule": "không có quy tắc cho mục tiêu không có con số",
    },
}


@dataclass(frozen=True)
class Section:
    heading: str
    intro: str
    lines: list[str]


def target_words(row: Row, lang: str) -> str | None:
    """The Target cell of a goal without a number: its own words, with the direction."""
    if row.get("comparator") != "improve":
        return None
    return _TEXT[lang]["improve_down" if row.get("direction") == "decrease" else "improve_up"]


def fragile_words(row: Row, lang: str) -> str:
    return _TEXT[lang]["fragile"] if row.get("fragile") else ""


def verdicts(row: Row, lang: str) -> str:
    """ "Statistics Canada / Open SDG: On track; UN Statistics Division ...: ..."."""
    by_method = row.get("status_by_method") or {}
    return "; ".join(
        f"{METHOD_NAMES[lang][m]}: "
        + (status_name(lang, by_method[m]) if by_method.get(m) else _TEXT[lang]["no_rule"])
        for m in METHODS
        if m in by_method
    )


def section(rows: list[Row], ctx: ReportContext, goal_label: Any) -> Section | None:
    """The "Methods compared" section; `goal_label(row, lang)` names a goal."""
    if not any(row.get("status_by_method") for row in rows):
        return None
    lang = ctx.lang
    fragile = [row for row in rows if row.get("fragile")]
    intro = _TEXT[lang]["intro"].format(method=METHOD_NAMES[lang].get(ctx.method, ctx.method))
    verdict = _TEXT[lang]["some"] if fragile else _TEXT[lang]["none"]
    intro += " " + verdict.format(n=len(fragile), total=len(rows))
    lines = [f"{goal_label(row, lang)}: {verdicts(row, lang)}" for row in fragile]
    return Section(_TEXT[lang]["heading"], intro, lines)
