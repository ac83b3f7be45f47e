"""The X12 layer of an 835: split a file into segments and check it with pyx12 (services.era_read reads the
payments from the segments; services.era posts them).

A file is refused (EraRefused, nothing posted, the reason given) when it is not X12, is not an 835 (GS01 HP,
ST01 835), its envelope is broken (a missing or miscounted SE/GE/IEA trailer, mismatched control numbers: a
truncated or hand-edited file) or an element the posting reads is wrong. Whatever else pyx12 reports does not
change what is posted; it comes back as warnings.
"""

from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from officemgr.plaintext import unsafe_character
from officemgr.services.common import ServiceError
from officemgr.services.csv_files import echo

VERSIONS = ("005010X221A1", "004010X091A1")
TRANSACTIONS = {"837": "claim", "270": "eligibility inquiry", "271": "eligibility response", "276": "claim status "
                "inquiry", "277": "claim status", "278": "authorization", "834": "enrollment", "820": "premium payment",
                "999": "acknowledgement", "997": "acknowledgement"}
# The elements the posting reads: a pyx12 error on one of these refuses the file (None: every element).
READ_ELEMENTS: dict[str, set[int] | None] = {"BPR": {1, 2}, "TRN": {2}, "CLP": {1, 2, 3, 4, 5}, "CAS": None,
                                             "PLB": None}
ENVELOPE = ("ISA", "IEA", "GS", "GE", "ST", "SE")
MAX_SEGMENT = 10_000  # characters in one segment (services.csv_files limits the file to 50 MB)


class EraRefused(ServiceError):
    """An 835 file not posted; the message says why (the first problem or two), `problems` lists them all."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def check_lengths(text: str, name: str) -> None:
    """Refuse a segment longer than MAX_SEGMENT before pyx12 reads the file (a real one is a few hundred characters).

    The segment terminator is the ISA's last character (position 106); an 835 is often one long line."""
    terminator = text[105] if text.startswith("ISA") and len(text) > 105 else "~"
    start = 0
    while start < len(text):
        end = text.find(terminator, start)
        end = len(text) if end < 0 else end
        if end - start > MAX_SEGMENT:
            line = text.count("\n", 0, start) + 1
            raise EraRefused(f"{name}: a segment on line {line:,} is {end - start:,} characters long; an 835 segment "
                             f"may be at most {MAX_SEGMENT:,}; nothing was posted")
        start = end + 1


def unsafe_values(segments: list[Seg]) -> list[str]:
    """An element holding a control or text-direction character, as "line N: N102 holds ...", each one."""
    found = []
    for seg in segments:
        for position, value in enumerate(seg.values, start=1):
            what = unsafe_character(value)
            if what:
                found.append(f"line {seg.line}: {seg.id}{position:02d} holds {what}")
    return found


def quiet_pyx12() -> None:
    # pyx12 logs every validation error; without a handler Python prints them on stderr. We report them ourselves.
    logger = logging.getLogger("pyx12")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
    logger.propagate = False


@dataclass(frozen=True)
class Seg:
    line: int
    id: str
    values: list[str]  # element 1.. as text ("" when empty); composites keep their separator
    component: str = ":"  # the file's component separator (ISA16)

    def get(self, position: int) -> str:
        return self.values[position - 1].strip() if position <= len(self.values) else ""


def read_segments(text: str, name: str) -> list[Seg]:
    import pyx12.errors
    import pyx12.x12file

    found: list[Seg] = []
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        for seg in reader:
            # Each element as get_value(f"{id}{i:02d}") gives it, without parsing that reference per element.
            values = [element.format() for element in seg.elements]
            found.append(Seg(reader.get_cur_line(), seg.get_seg_id() or "", values, reader.subele_term or ":"))
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        raise EraRefused(f"{name} is not an X12 file ({echo(_not_x12(str(exc)))}); nothing was posted") from None
    except Exception:  # noqa: BLE001 - pyx12 on arbitrary bytes may fail any way; refuse, never crash
        where = f"line {found[-1].line + 1}" if found else "the start"
        raise EraRefused(f"{name} could not be read as X12 (a malformed segment at {where}: is there a stray ~, * "
                         "or : inside a value?); nothing was posted") from None
    if not found or found[0].id != "ISA":
        raise EraRefused(f"{name} is not an X12 file (it does not begin with an ISA segment); nothing was posted")
    return found


def check_kind(segments: list[Seg], name: str) -> None:
    groups = [s for s in segments if s.id == "GS"]
    sets = [s for s in segments if s.id == "ST"]
    if not groups or not sets:
        raise EraRefused(f"{name} holds no X12 transaction (no {'GS' if not groups else 'ST'} segment); "
                         "nothing was posted")
    for st in sets:
        kind = st.get(1)
        if kind != "835":
            what = TRANSACTIONS.get(kind, "transaction")
            raise EraRefused(f"{name} is an X12 {echo(kind, 20)} ({what}), not an 835 remittance; nothing was posted")
    for gs in groups:
        if gs.get(1) != "HP":
            raise EraRefused(f"{name} is not an 835 remittance (line {gs.line}: its functional group is "
                             f"'{echo(gs.get(1), 20)}', an 835's is HP); nothing was posted")
        if gs.get(8) not in VERSIONS:
            raise EraRefused(f"{name} is an 835 of version '{echo(gs.get(8), 20)}', which cannot be read "
                             f"(line {gs.line}; the versions read are {' and '.join(VERSIONS)}); nothing was posted")


def validate(text: str, name: str) -> tuple[list[str], list[str]]:
    """pyx12's findings as (fatal, warnings), each "line N: what"."""
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    out = io.StringIO()
    try:
        pyx12.x12n_document.x12n_document(pyx12.params.ParamsBase(), io.StringIO(text), None, None, fd_json=out)
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        raise EraRefused(f"{name} is not a valid 835 ({echo(_readable(str(exc)))}); nothing was posted") from None
    except Exception:  # noqa: BLE001 - a validator crash on odd input is a refusal, not a traceback
        raise EraRefused(f"{name} could not be validated as an 835 (the checker stopped on a malformed segment); "
                         "nothing was posted") from None
    try:
        doc = json.loads(out.getvalue() or "{}")
    except ValueError:
        doc = {}
    fatal: list[str] = []
    warnings: list[str] = []
    for interchange in doc.get("interchanges", []):
        fatal += _envelope_errors(interchange)
        for group in interchange.get("groups", []):
            fatal += _envelope_errors(group)
            for transaction in group.get("transactions", []):
                fatal += _envelope_errors(transaction)
                for seg in transaction.get("segments", []):
                    where = f"line {seg.get('cur_line')}: "
                    seg_id = seg.get("seg_id") or ""
                    for err in seg.get("errors", []):
                        (fatal if seg_id in ENVELOPE else warnings).append(where + _readable(err["err_str"]))
                    read = READ_ELEMENTS.get(seg_id, set())
                    for ele in seg.get("elements", []):
                        hit = read is None or ele.get("ele_pos") in read
                        for err in ele.get("errors", []):
                            (fatal if hit else warnings).append(where + _readable(err["err_str"]))
    return fatal, warnings


def _envelope_errors(node: dict[str, Any]) -> list[str]:
    line = node.get("cur_line")
    where = f"line {line}: " if line else ""
    return [where + _readable(err["err_str"]) for err in node.get("errors", [])]


def _not_x12(message: str) -> str:
    """pyx12's reason a file is not X12, as a sentence."""
    if message.startswith("First line does not begin with 'ISA'"):
        return "it does not begin with an ISA segment"
    found = re.match(r"ISA line is only (\d+) characters", message)
    if found:
        return f"its ISA segment is cut short: {found.group(1)} characters where an ISA has 106"
    if message.startswith("ISA Interchange Control Version Number is unknown"):
        return "its ISA segment names an unknown X12 version (ISA12 should be 00501 or 00401)"
    return _readable(message)


def _readable(message: str) -> str:
    message = re.sub(r"\s*Started at /\S*", "", message)
    return " ".join(message.split()).rstrip(".")


def line_of(problem: str) -> int:
    found = re.match(r"line (\d+)", problem)
    return int(found.group(1)) if found else 0

