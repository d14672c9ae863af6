"""The price catalogue and usage profiles the cost gate reads (TOML under policies/).

Every price carries its unit, its source, its as-of date and whether it is confirmed;
the estimator never invents one. Amounts are Decimals so that an estimate is exact
and reproducible to the cent.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from gates.inputs import InputError, file_state

STATUSES = ("confirmed", "unconfirmed")


@dataclass(frozen=True)
class Price:
    id: str
    usd: Decimal
    unit: str
    source: str
    as_of: dt.date
    status: str
    note: str = ""


@dataclass(frozen=True)
class Catalogue:
    region: str
    prices: dict[str, Price]
    free: dict[str, str]
    path: Path

    def get(self, price_id: str) -> Price | None:
        return self.prices.get(price_id)


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{where}: a number is required, got {value!r}")
    try:
        # Through str: 0.1 stays 0.1, not its binary approximation.
        number = Decimal(str(value))
    except InvalidOperation:
        raise InputError(f"{where}: a number is required, got {value!r}")
    if number < 0:
        raise InputError(f"{where}: must not be negative, got {value!r}")
    return number


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file")
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}")


def load_free(path: Path) -> dict[str, str]:
    """Resource types that cost nothing by themselves, each with the reason."""
    data = _read_toml(path)
    free = data.get("free")
    if not isinstance(free, dict):
        raise InputError(f'{path}: a [free] table of resource type = "why it costs nothing" is required')
    for rtype, note in free.items():
        if not isinstance(note, str) or len(note.split()) < 4:
            raise InputError(f"{path}: free.{rtype}: say in a sentence why this type costs nothing, got {note!r}")
    return dict(free)


# Catalogues read in this process, by file and the state of both files it comes from: the gate
# estimates every stack three times (expected, low, high) and advises once, each reading the
# catalogue (about a tenth of a second of TOML each), while an edited file is read afresh.
_catalogues: dict[tuple[Path, str], tuple[tuple[tuple[int, int] | None, ...], Catalogue]] = {}


def load_catalogue(directory: Path, region: str) -> Catalogue:
    """`<directory>/<region>.toml` plus the shared `<directory>/free.toml` (each caller gets its own dicts)."""
    key = (directory.resolve(), region)
    state = (file_state(directory / f"{region}.toml"), file_state(directory / "free.toml"))
    cached = _catalogues.get(key)
    if None in state or cached is None or cached[0] != state:
        catalogue = _load_catalogue(directory, region)  # a missing file: its clear error, every time
        _catalogues[key] = (state, catalogue)
    else:
        catalogue = cached[1]
    return Catalogue(region=catalogue.region, prices=dict(catalogue.prices), free=dict(catalogue.free), path=catalogue.path)


def _load_catalogue(directory: Path, region: str) -> Catalogue:
    path = directory / f"{region}.toml"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in directory.glob("*.toml") if p.stem != "free")) or "none"
        raise InputError(
            f"{path}: no price catalogue for Region {region} (available: {available}); "
            "add one with `make prices` or by hand, every price with its source"
        )
    data = _read_toml(path)
    if data.get("region") != region:
        raise InputError(f"{path}: region = {data.get('region')!r} must equal the file name ({region!r})")
    default_as_of = data.get("as_of")
    prices: dict[str, Price] = {}
    for price_id, row in (data.get("prices") or {}).items():
        where = f"{path}: prices.{price_id}"
        if not isinstance(row, dict):
            raise InputError(f"{where}: a table with usd, unit, source and status is required")
        unknown = set(row) - {"usd", "unit", "source", "as_of", "status", "note"}
        if unknown:
            raise InputError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: usd, unit, source, as_of, status, note"
            )
        for key in ("unit", "source"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise InputError(f"{where}.{key}: required, a non-empty string")
        status = row.get("status")
        if status not in STATUSES:
            raise InputError(f"{where}.status = {status!r}: one of {', '.join(STATUSES)}")
        as_of = row.get("as_of", default_as_of)
        if not isinstance(as_of, dt.date):
            raise InputError(f"{where}.as_of: a date (YYYY-MM-DD) is required, here or at the top of the file")
        prices[price_id] = Price(
            id=price_id,
            usd=_decimal(row.get("usd"), f"{where}.usd"),
            unit=row["unit"],
            source=row["source"],
            as_of=as_of,
            status=status,
            note=str(row.get("note", "")),
        )
    return Catalogue(region=region, prices=prices, free=load_free(directory / "free.toml"), path=path)


class Usage:
    """A usage profile: nested tables of numbers; `match` picks per-name settings by glob.

    `source` says why this profile was chosen, for the reports.
    """

    def __init__(self, data: dict[str, Any], path: Path | None, source: str = "", scenario: str = "expected"):
        self.data = data
        self.path = path
        self.source = source
        self.scenario = scenario
        self.factor = self.sensitivity()[scenario]

    def sensitivity(self) -> dict[str, Decimal]:
        """`[sensitivity] low` and `high`: the factors applied to every traffic figure of the
        profile for the low and high columns (expected is the profile as written)."""
        table = self.data.get("sensitivity") or {}
        if not isinstance(table, dict):
            raise InputError(f"{self._where()}: [sensitivity] must be a table with low and high factors")
        low = _decimal(table.get("low", "0.5"), f"{self._where()}: sensitivity.low")
        high = _decimal(table.get("high", "2"), f"{self._where()}: sensitivity.high")
        if not low <= 1 <= high:
            raise InputError(f"{self._where()}: sensitivity.low = {low} and high = {high}: need low <= 1 <= high")
        return {"low": low, "expected": Decimal(1), "high": high}

    def with_overrides(self, overrides: Any, where: str) -> Usage:
        """The profile with the environment file's own figures (`[usage]`, carried in the stack's
        metadata) over it: only sections and keys the profile has, numbers for numbers."""
        if not overrides:
            return self
        if not isinstance(overrides, dict):
            raise InputError(f"{where} = {overrides!r}: a table of usage sections")
        merged = _overlaid(self.data, overrides, where)
        return Usage(merged, self.path, f"{self.source}, with the environment file's [usage] figures", self.scenario)

    def scenario_of(self, scenario: str) -> Usage:
        """The same profile with its traffic figures scaled for `low`, `expected` or `high`."""
        return Usage(self.data, self.path, self.source, scenario)

    @classmethod
    def load(cls, directory: Path, env: str, named: str | None = None, named_in: str = "the stack") -> Usage:
        """The profile the stack names (`"//".foundation.usage_profile`), else `<env>.toml`, else default.toml.

        A named profile that does not exist is an error: falling back silently would
        price production with development's figures.
        """
        if named is not None:
            path = directory / f"{named}.toml"
            if not path.is_file():
                available = ", ".join(sorted(p.stem for p in directory.glob("*.toml"))) or "none"
                raise InputError(
                    f"{named_in} names usage profile {named!r}, but {path} does not exist (available: {available}); "
                    "add that file or correct the profile name"
                )
            return cls(_read_toml(path), path, "named by the stack's metadata")
        path = directory / f"{env}.toml"
        source = f"named after the stack {env!r}"
        if not path.is_file():
            path, source = directory / "default.toml", "default: the stack names no usage profile"
        if not path.is_file():
            raise InputError(f"{directory}: no usage profile for {env!r} and no default.toml")
        return cls(_read_toml(path), path, source)

    def number(self, section: str, key: str, *, name: str | None = None, scaled: bool = True) -> Decimal:
        """`[section] key`, or for a named resource the first `[section.match."<glob>"]` that
        matches the name and sets the key; a profile that sets neither is an error.

        Traffic figures are multiplied by the scenario's factor; `scaled=False` for ratios and
        settings (retention change rates, durations, copies) that do not grow with traffic."""
        value = self._number(section, key, name=name)
        return value * self.factor if scaled else value

    def _number(self, section: str, key: str, *, name: str | None = None) -> Decimal:
        table = self.data.get(section)
        if not isinstance(table, dict):
            raise InputError(f"{self._where()}: [{section}] is missing")
        if name is not None:
            for pattern, settings in (table.get("match") or {}).items():
                if fnmatch.fnmatchcase(name, pattern) and isinstance(settings, dict) and key in settings:
                    return _decimal(settings[key], f"{self._where()}: {section}.match.{pattern!r}.{key}")
        if key not in table:
            raise InputError(f"{self._where()}: {section}.{key} is missing")
        return _decimal(table[key], f"{self._where()}: {section}.{key}")

    def text(self, section: str, key: str, default: str) -> str:
        table = self.data.get(section) or {}
        value = table.get(key, default)
        return str(value)

    def _where(self) -> str:
        return str(self.path) if self.path else "usage profile"


def _overlaid(base: dict[str, Any], overrides: dict[str, Any], where: str) -> dict[str, Any]:
    """`overrides` over `base`, table by table; a key `base` lacks (other than a `match` glob) is refused."""
    merged = dict(base)
    for key, value in overrides.items():
        at = f"{where}.{key}"
        known = base.get(key)
        if isinstance(value, dict):
            if key != "match" and not isinstance(known, dict) and not where.endswith(".match"):
                raise InputError(f"{at}: not a section of the usage profile")
            merged[key] = _overlaid(known if isinstance(known, dict) else {}, value, at)
        elif isinstance(value, bool) or not isinstance(value, int | float | str):
            raise InputError(f"{at} = {value!r}: a number or a word")
        elif isinstance(value, int | float) and not (math.isfinite(value) and value >= 0):
            raise InputError(f"{at} = {value!r}: a finite number of at least 0")
        else:
            merged[key] = value
    return merged
