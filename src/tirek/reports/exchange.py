"""The regional exchange: anonymous national aggregates that another country's Tirek
imports to compare side by side. Format: docs/regional-exchange.md (version 1).

Only disaggregations that mean the same in every country travel (sex, age band, phase,
quarter); regions and agencies stay at home. The importer is strict: any unknown field,
wrong type, published cell under the threshold, or hidden cell that the published ones
give away, and the whole file is refused.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tirek.audit.models import Action
from tirek.audit.services import record

from . import conf, dashboards, tables
from .cube import ROOT
from .dimensions import SHARED, age_dimension, phase_dimension, quarter_dimension, sex_dimension
from .models import ExchangeImport
from .periods import Period
from .registry import INDICATORS, Scope

if TYPE_CHECKING:
    from tirek.accounts.models import User

FORMAT = "tirek-regional-exchange"
VERSION = 1
MAX_BYTES = 2 * 1024 * 1024
MAX_INDICATORS = 200
MAX_CELLS = 2000
CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
AUDIENCES = ("ministry", "training")
# Perturbed counts (docs/disclosure-control.md) can put a numerator above its denominator:
# by at most two perturbations of 8 (the default bound, the largest we document).
PERTURBATION_SLACK = 16


def shared_categories() -> dict[str, set[str]]:
    return {
        d.code: {code for code, _label in d.categories}
        for d in (sex_dimension(), age_dimension(), phase_dimension(), quarter_dimension())
    }


# --- building ---------------------------------------------------------------------------------


def _cell(value: tables.Value, keys: dict[str, str]) -> dict[str, Any]:
    cell: dict[str, Any] = {"keys": keys}
    if value.kind == "count":
        cell["value"] = value.count.value
    elif value.kind == "share":
        cell["value"] = value.percent
        cell["numerator"] = value.count.value
        cell["denominator"] = value.denominator.value if value.denominator else None
    elif value.kind == "sum":
        cell["value"] = value.total.value if value.total else None
        cell["n"] = value.count.value
    else:
        cell["value"] = value.mean.value if value.mean else None
        cell["n"] = value.count.value
        cell["max"] = value.maximum.value if value.maximum else None
        cell["max_top_coded"] = bool(value.maximum and value.maximum.top_coded)
    # An empty group (denominator or group of 0) has no value but hides nothing.
    empty = (
        value.kind == "share" and value.denominator is not None and value.denominator.value == 0
    ) or (value.kind in ("mean", "sum") and value.count.value == 0)
    cell["suppressed"] = cell["value"] is None and not empty
    return cell


def build(period: Period, progress: Any = None) -> dict[str, Any]:
    """The country's exchange file for ``period``: national totals and shared breakdowns."""
    indicators: list[dict[str, Any]] = []
    seen: set[str] = set()
    chosen = []
    for audience in AUDIENCES:
        for i in INDICATORS.values():
            if audience in i.audiences and i.code not in seen:
                seen.add(i.code)
                chosen.append(i)
    board = dashboards.assemble("ministry", Scope.country(), period=period, indicators=chosen)
    for number, panel in enumerate(board.panels, start=1):
        indicator, cube = panel.indicator, panel.cube
        cells = [_cell(tables.value(indicator, cube, ROOT), {})]
        for dim in indicator.disaggregations:
            if dim not in SHARED or dim not in cube.dimensions:
                continue
            for code, _label in cube.dimensions[dim].categories:
                cells.append(_cell(tables.value(indicator, cube, ROOT, dim, code), {dim: code}))
        indicators.append(
            {
                "code": indicator.code,
                "kind": indicator.kind,
                "name": str(indicator.name),
                "cells": cells,
            }
        )
        if progress:
            progress(int(90 * number / max(len(board.panels), 1)))
    return {
        "format": FORMAT,
        "version": VERSION,
        "country": conf.country_code(),
        "period": {"type": "calendar-year", "year": period.year, "complete": period.is_complete},
        "threshold": conf.sdc_threshold(),
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "indicators": indicators,
    }


def to_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


# --- validating -------------------------------------------------------------------------------


class Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        if len(self.messages) < 50:
            self.messages.append(f"{where}: {message}" if where else message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _exact_keys(obj: Any, required: set[str], optional: set[str], where: str, p: Problems) -> bool:
    if not isinstance(obj, dict):
        p.add(where, _("must be an object"))
        return False
    missing = required - set(obj)
    extra = set(obj) - required - optional
    if missing:
        p.add(where, _("missing fields: %(f)s") % {"f": ", ".join(sorted(missing))})
    if extra:
        p.add(where, _("unknown fields: %(f)s") % {"f": ", ".join(sorted(map(str, extra)))})
    return not missing and not extra


def parse(raw: bytes) -> dict[str, Any]:
    """JSON from an uploaded file, or a ValidationError."""
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValidationError(_("The file is not valid UTF-8 JSON.")) from exc
    return validate(data)


def validate(data: Any) -> dict[str, Any]:
    """The file if it follows format version 1 exactly and publishes no small cell."""
    p = Problems()
    top = {"format", "version", "country", "period", "threshold", "generated_at", "indicators"}
    if not _exact_keys(data, top, set(), "", p):
        p.raise_if_any()
    if data["format"] != FORMAT:
        p.add("format", _("must be %(v)s") % {"v": FORMAT})
    if not _is_int(data["version"]) or data["version"] != VERSION:
        p.add("version", _("only version %(v)s is understood") % {"v": VERSION})
    if not isinstance(data["country"], str) or not COUNTRY.match(data["country"]):
        p.add("country", _("must be two capital letters (ISO 3166-1 alpha-2)"))
    period = data["period"]
    if _exact_keys(period, {"type", "year", "complete"}, set(), "period", p):
        if period["type"] != "calendar-year":
            p.add("period.type", _("must be calendar-year"))
        if not _is_int(period["year"]) or not 2000 <= period["year"] <= 2100:
            p.add("period.year", _("must be a year between 2000 and 2100"))
        if not isinstance(period["complete"], bool):
            p.add("period.complete", _("must be true or false"))
    threshold = data["threshold"]
    if not _is_int(threshold) or not 2 <= threshold <= 1000:
        p.add("threshold", _("must be a whole number of at least 2"))
        threshold = conf.sdc_threshold()
    # Check against the stricter of the two thresholds: ours applies to what we show.
    limit = max(threshold, conf.sdc_threshold())
    generated = data["generated_at"]
    if not isinstance(generated, str) or not _aware_datetime(generated):
        p.add("generated_at", _("must be a date and time with a time zone (ISO 8601)"))
    indicators = data["indicators"]
    if not isinstance(indicators, list) or not 1 <= len(indicators) <= MAX_INDICATORS:
        p.add("indicators", _("must be a list of 1 to %(n)s indicators") % {"n": MAX_INDICATORS})
        p.raise_if_any()
    seen_codes: set[str] = set()
    categories = shared_categories()
    for i, indicator in enumerate(indicators):
        _validate_indicator(indicator, f"indicators[{i}]", seen_codes, categories, limit, p)
    p.raise_if_any()
    return data


def _aware_datetime(text: str) -> bool:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return False
    return value.tzinfo is not None


def _validate_indicator(
    indicator: Any,
    where: str,
    seen_codes: set[str],
    categories: dict[str, set[str]],
    limit: int,
    p: Problems,
) -> None:
    if not _exact_keys(indicator, {"code", "kind", "cells"}, {"name"}, where, p):
        return
    code, kind, cells = indicator["code"], indicator["kind"], indicator["cells"]
    if not isinstance(code, str) or not CODE.match(code):
        p.add(f"{where}.code", _("must be a lower-case code"))
        return
    where = f"{where} ({code})"
    if code in seen_codes:
        p.add(where, _("appears twice"))
    seen_codes.add(code)
    if kind not in ("count", "share", "mean", "sum"):
        p.add(f"{where}.kind", _("must be count, share, mean or sum"))
        return
    known = INDICATORS.get(code)
    if known is not None and known.kind != kind:
        p.add(f"{where}.kind", _("is %(kind)s here") % {"kind": known.kind})
    if "name" in indicator and (
        not isinstance(indicator["name"], str) or len(indicator["name"]) > 300
    ):
        p.add(f"{where}.name", _("must be text of at most 300 characters"))
    if not isinstance(cells, list) or not 1 <= len(cells) <= MAX_CELLS:
        p.add(f"{where}.cells", _("must be a list of 1 to %(n)s cells") % {"n": MAX_CELLS})
        return
    fields = {
        "count": set(),
        "share": {"numerator", "denominator"},
        "mean": {"n", "max", "max_top_coded"},
        "sum": {"n"},
    }[kind]
    seen_keys: set[tuple[tuple[str, str], ...]] = set()
    groups: dict[str, list[dict[str, Any]]] = {}
    total: dict[str, Any] | None = None
    for j, cell in enumerate(cells):
        at = f"{where}.cells[{j}]"
        if not _exact_keys(cell, {"keys", "value", "suppressed"} | fields, set(), at, p):
            continue
        keys = cell["keys"]
        if not isinstance(keys, dict) or len(keys) > 1:
            p.add(f"{at}.keys", _("must hold at most one disaggregation"))
            continue
        for dim, category in keys.items():
            if dim not in categories:
                p.add(f"{at}.keys", _("unknown disaggregation %(d)s") % {"d": str(dim)[:40]})
            elif category not in categories[dim]:
                p.add(f"{at}.keys", _("unknown category %(c)s") % {"c": str(category)[:40]})
        key = tuple(sorted((str(k), str(v)) for k, v in keys.items()))
        if key in seen_keys:
            p.add(at, _("the same disaggregation appears twice"))
        seen_keys.add(key)
        if not _validate_cell(cell, kind, limit, at, p):
            continue
        if kind == "count":
            if keys:
                groups.setdefault(next(iter(keys)), []).append(cell)
            else:
                total = cell
    # A hidden category next to a published total and otherwise published categories
    # is the total minus the rest: the file does not protect it.
    if kind == "count" and total is not None and not total["suppressed"]:
        for dim, group in groups.items():
            hidden = [c for c in group if c["suppressed"]]
            if len(group) == len(categories.get(dim, ())) and len(hidden) == 1:
                p.add(where, _("a hidden %(d)s cell can be worked out from the total") % {"d": dim})


def _count_ok(value: Any, limit: int) -> bool:
    return value is None or (_is_int(value) and (value == 0 or value >= limit))


def _validate_cell(cell: dict[str, Any], kind: str, limit: int, at: str, p: Problems) -> bool:
    ok = True
    suppressed, value = cell["suppressed"], cell["value"]
    if not isinstance(suppressed, bool):
        p.add(f"{at}.suppressed", _("must be true or false"))
        return False
    if suppressed and value is not None:
        p.add(at, _("a suppressed cell must have value null"))
        ok = False
    small = _("a published cell under the threshold (%(t)s) is refused") % {"t": limit}
    if kind == "count":
        if not suppressed and value is None:
            p.add(at, _("value is null but not marked suppressed"))
            ok = False
        elif not _count_ok(value, limit):
            p.add(
                f"{at}.value",
                small if _is_int(value) and value > 0 else _("must be a whole number ≥ 0"),
            )
            ok = False
    elif kind == "share":
        for name in ("numerator", "denominator"):
            if not _count_ok(cell[name], limit):
                p.add(
                    f"{at}.{name}",
                    small
                    if _is_int(cell[name]) and cell[name] > 0
                    else _("must be a whole number ≥ 0"),
                )
                ok = False
        if value is not None:
            if not _is_number(value) or not 0 <= value <= 100:
                p.add(f"{at}.value", _("must be a percentage between 0 and 100"))
                ok = False
            elif cell["numerator"] is None or cell["denominator"] is None:
                p.add(at, _("a published share needs its numerator and denominator"))
                ok = False
            elif (
                _is_int(cell["numerator"])
                and _is_int(cell["denominator"])
                and cell["numerator"] > cell["denominator"] + PERTURBATION_SLACK
            ):
                p.add(at, _("the numerator is larger than the denominator"))
                ok = False
    else:
        n = cell["n"]
        if not _count_ok(n, limit):
            p.add(f"{at}.n", small if _is_int(n) and n > 0 else _("must be a whole number ≥ 0"))
            ok = False
        for name in ("value", "max") if kind == "mean" else ("value",):
            if cell[name] is not None and not _is_number(cell[name]):
                p.add(f"{at}.{name}", _("must be a number"))
                ok = False
            elif cell[name] is not None and (not _is_int(n) or n < limit):
                p.add(
                    f"{at}.{name}",
                    _("a mean or maximum needs a published group of at least %(t)s") % {"t": limit},
                )
                ok = False
        if kind == "sum" and _is_number(cell["value"]) and cell["value"] < 0:
            p.add(f"{at}.value", _("a total cannot be negative"))
            ok = False
        if kind == "mean" and not isinstance(cell["max_top_coded"], bool):
            p.add(f"{at}.max_top_coded", _("must be true or false"))
            ok = False
    return ok


# --- importing --------------------------------------------------------------------------------


@transaction.atomic
def exchange_import(
    *, user: User | None, raw: bytes, source_name: str = "", request: Any = None
) -> ExchangeImport:
    data = parse(raw)
    if data["country"] == conf.country_code():
        raise ValidationError(_("This file is from this country; import another country's file."))
    item = ExchangeImport(
        country=data["country"],
        year=data["period"]["year"],
        threshold=data["threshold"],
        generated_at=datetime.fromisoformat(data["generated_at"]),
        payload=data,
        source_name=source_name[:200],
        imported_by=user if getattr(user, "is_authenticated", False) else None,
    )
    item.full_clean()
    item.save()
    record(
        actor=user,
        action=Action.CREATE,
        obj=item,
        request=request,
        detail={"country": item.country, "year": item.year, "indicators": len(data["indicators"])},
    )
    return item


def latest_imports(year: int) -> list[ExchangeImport]:
    """The newest import per country for ``year``."""
    found: dict[str, ExchangeImport] = {}
    for item in ExchangeImport.objects.filter(year=year).order_by("country", "-imported_at", "-id"):
        found.setdefault(item.country, item)
    return list(found.values())


def cell_of(
    payload: dict[str, Any], code: str, keys: dict[str, str] | None = None
) -> dict[str, Any] | None:
    wanted = keys or {}
    for indicator in payload.get("indicators", []):
        if indicator.get("code") == code:
            for cell in indicator.get("cells", []):
                if cell.get("keys") == wanted:
                    return cell
    return None


def display(cell: dict[str, Any] | None, kind: str) -> str:
    if cell is None:
        return "—"
    if cell.get("suppressed"):
        return tables.HIDDEN
    value = cell.get("value")
    if value is None:
        return "—"
    text = tables.format_number(value)
    return f"{text} %" if kind == "share" else text
