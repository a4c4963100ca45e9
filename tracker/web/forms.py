"""The pages that write: add, correct and retract a reading, through the library functions
the command line uses, so a refusal says the same sentence. Editors and admins only."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from starlette.responses import RedirectResponse, Response

from tracker.errors import InputError
from tracker.web.guard import Visit, page

READING_FIELDS = ("indicator", "area", "date", "value", "unit", "source", "qualifier", "note")


def _errors_by_field(e: InputError) -> dict[str, list[str]]:
    from tracker.api import problems_by_field

    return problems_by_field(e)


def _form_page(v: Visit, status: int = 200, **values: Any) -> Response:
    from tracker.model import QUALIFIERS

    values.setdefault("errors", {})
    values.setdefault("held", False)
    return v.web.render(v, "reading_form.html", status, qualifiers=QUALIFIERS, **values)


def _back(key: str, area: str | None, done: str) -> RedirectResponse:
    """To the indicator page, which says what was done (ids only: nothing typed is echoed)."""
    query = {"done": done} if area is None else {"area": area, "done": done}
    return RedirectResponse(f"/indicators/{quote(key, safe='')}?{urlencode(query)}", 303)


def _by(v: Visit) -> str:
    assert v.account is not None  # @page(write=True) let only a signed-in editor through
    return v.account.name


@page(write=True)
def new_reading(v: Visit) -> Response:
    from tracker.api import ReadingRefused, record_reading

    web = v.web
    if v.form is None:
        fields = {k: "" for k in READING_FIELDS}
        fields["indicator"] = v.request.query_params.get("indicator", "")
        return _form_page(v, fields=fields, mode="new")
    fields = {k: v.form.get(k, "") for k in READING_FIELDS}
    confirm = v.form.get("confirm") in ("on", "yes", "1", "true")
    try:
        rid = record_reading(
            web.engine, web.program, fields, by=_by(v), locale=v.lang, confirm=confirm
        ).id
    except ReadingRefused as e:
        return _form_page(
            v, 400, fields=fields, mode="new", errors=_errors_by_field(e), held=e.held
        )
    return _back(fields["indicator"].strip(), fields["area"].strip() or None, f"recorded:{rid}")


def _current_fields(web: Any, row: Any) -> dict[str, str]:
    from tracker.store.record import reading_fields

    return reading_fields(web.program, row)


def _editable(v: Visit, verb: str) -> tuple[Any, Response | None]:
    from tracker.store.ledger import editable_reading

    rid = v.request.path_params["id"]
    try:
        return editable_reading(v.web.engine, rid, verb), None
    except InputError as e:
        # The command line's own sentence: from a file, it names the line to edit.
        return None, v.web.error(v, 409 if "no reading" not in str(e) else 404, str(e))


@page(write=True)
def correct(v: Visit) -> Response:
    from tracker.store.ledger import correct_reading

    web = v.web
    row, refusal = _editable(v, "correct")
    if refusal is not None:
        return refusal
    before = _current_fields(web, row)
    if v.form is None:
        return _form_page(v, fields=before, mode="correct", reading=row, reason="")
    typed = {k: v.form.get(k, "") for k in READING_FIELDS if k != "indicator"}
    # Only what was changed is a correction; the rest is carried over as stored.
    changes = {k: val for k, val in typed.items() if val.strip() != before[k]}
    reason = v.form.get("reason", "").strip()
    fields = {**typed, "indicator": row.indicator}
    try:
        if not changes:
            from tracker.errors import BadValue

            raise BadValue(f"the correction is the same as reading {row.id}; nothing to change")
        if reason:
            changes["reason"] = reason
        confirm = v.form.get("confirm") in ("on", "yes", "1", "true")
        new_id = correct_reading(
            web.engine, web.program, row.id, changes, by=_by(v), locale=v.lang, confirm=confirm
        )
    except InputError as e:
        return _form_page(
            v,
            400,
            fields=fields,
            mode="correct",
            reading=row,
            reason=reason,
            errors=_errors_by_field(e),
            held=getattr(e, "held", False),  # a 10x jump: the confirm checkbox
        )
    return _back(row.indicator, row.area, f"corrected:{row.id}:{new_id}")


@page(write=True)
def retract(v: Visit) -> Response:
    from tracker.store.ledger import retract_reading

    web = v.web
    row, refusal = _editable(v, "retract")
    if refusal is not None:
        return refusal
    fields = _current_fields(web, row)
    if v.form is None:
        return web.render(v, "retract.html", reading=row, fields=fields, reason="", errors=[])
    reason = v.form.get("reason", "")
    try:
        retract_reading(web.engine, row.id, reason=reason, by=_by(v))
    except InputError as e:
        return web.render(
            v,
            "retract.html",
            400,
            reading=row,
            fields=fields,
            reason=reason,
            errors=[p.message for p in e.problems],
        )
    return _back(row.indicator, row.area, f"retracted:{row.id}")
