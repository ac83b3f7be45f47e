"""The X12 layer of an 835: split a file into segments and check it with pyx12 (services.era_read reads the
payments from the segments; services.era posts them).

A file is refused (EraRefused, nothing posted, the reason given) when it is not X12 (saying when it looks like a CSV,
a PDF or a web page), is not an 835 (GS01 HP, ST01 835), is cut off inside a segment, holds a segment no 835 has,
its envelope is broken (a missing or miscounted SE/GE/IEA trailer, mismatched control numbers: a
truncated or hand-edited file) or an element the posting reads is wrong. Whatever else pyx12 reports does not
change what is posted; it comes back as warnings.

Before pyx12 reads it, `prepare` rewrites the file the way real payers send it into one segment per line: the
separators are the ISA's (any element, component and segment separator; a newline may itself be the terminator),
line breaks inside segments (a mainframe wrapping at 80 columns) and blank segments are dropped, an ISA whose padding
a sender trimmed is padded again. "line N" in a message is the line in the file when it has one segment per line,
else the segment's number (the line an X12 viewer shows it on).
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from officemgr.plaintext import unsafe_character
from officemgr.services.common import ServiceError
from officemgr.services.csv_files import echo
from officemgr.services.format import plural

VERSIONS = ("005010X221A1", "004010X091A1")
TRANSACTIONS = {"837": "claim", "270": "eligibility inquiry", "271": "eligibility response", "276": "claim status "
                "inquiry", "277": "claim status", "278": "authorization", "834": "enrollment", "820": "premium payment",
                "999": "acknowledgement", "997": "acknowledgement"}
# The elements the posting reads: a pyx12 error on one of these refuses the file (None: every element).
READ_ELEMENTS: dict[str, set[int] | None] = {"BPR": {1, 2}, "TRN": {2}, "CLP": {1, 2, 3, 4, 5}, "CAS": None,
                                             "PLB": None}
ENVELOPE = ("ISA", "IEA", "GS", "GE", "ST", "SE")
# Every segment of the 835 (5010 X221A1 and 4010 X091A1, as pyx12's maps have them) and of its envelope.
SEGMENTS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1", "BPR", "TRN", "CUR", "REF", "DTM", "N1", "N3",
                      "N4", "PER", "RDM", "LX", "TS3", "TS2", "CLP", "CAS", "NM1", "MIA", "MOA", "AMT", "QTY", "SVC",
                      "LQ", "PLB"})
MAX_SEGMENT = 10_000  # characters in one segment (services.csv_files limits the file to 50 MB)
MAX_WARNING = 300  # characters of one warning that comes back with a posted file
# The ISA's elements have fixed widths; ISA01-ISA08 are padded with spaces and ISA13 with zeros when trimmed.
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
ISA_SPACE_PADDED = range(1, 9)
ISA_CONTROL = 13
SEPARATOR_ELEMENTS = (11, 16)  # ISA11 the repetition separator (5010), ISA16 the component separator
CSV_SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


class EraRefused(ServiceError):
    """An 835 file not posted; the message says why (the first problem or two), `problems` lists them all."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


def _too_long(name: str, line: int, length: int) -> None:
    raise EraRefused(f"{name}: a segment on line {line:,} is {length:,} characters long; an 835 segment may be at "
                     f"most {MAX_SEGMENT:,}; nothing was posted")


@dataclass(frozen=True)
class Prepared:
    """The file as pyx12 reads it: one segment per line, each ending in the terminator."""

    text: str
    lines: tuple[int, ...]  # the line reported for pyx12's segment N (1-based) is lines[N - 1]
    unknown: tuple[str, ...]  # each segment whose id no 835 has (a typo, or another kind of file pasted in)

    def line(self, number: int) -> int:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else number


def prepare(text: str, name: str) -> Prepared:
    """The file's segments with the file's own separators, ready for pyx12; refuses what cannot be read."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("ISA"):
        raise EraRefused(f"{name} is not an X12 file ({_looks_like(text)}); nothing was posted")
    element, terminator = _separators(text, name)
    pieces = text.split(terminator)
    after = 1 if terminator == "\n" else 0  # the terminator itself ends a line
    segments: list[str] = []
    starts: list[int] = []
    line = 1
    for piece in pieces[:-1]:
        start = line + len(piece) - len(piece.lstrip("\n"))
        line += piece.count("\n") + after
        if len(piece) > MAX_SEGMENT:
            _too_long(name, start, len(piece))
        # A line break inside a segment is a wrapped line, and spaces before one pad a fixed-length record: no data.
        body = piece.replace("\n", "").lstrip(" \t")
        if body.strip():  # a blank line or a doubled terminator is no segment (pyx12 would stop reading there)
            isa = body.startswith("ISA") and not body[3:4].isalnum()
            segments.append(_pad_isa(body, element, start, name) if isa else _pad_iea(body, element))
            starts.append(start)
    if len(pieces[-1]) > MAX_SEGMENT:
        _too_long(name, line, len(pieces[-1]))
    tail = pieces[-1].replace("\n", "").lstrip(" \t")
    if tail.startswith("IEA" + element):  # the last terminator left out
        segments.append(_pad_iea(tail, element))
        starts.append(line)
    elif tail.rstrip(" \t\x1a"):  # \x1a: the end-of-file mark some old systems add
        # (A file cut between two segments is pyx12's to report: its trailers SE, GE and IEA are missing.)
        line += len(pieces[-1]) - len(pieces[-1].lstrip("\n"))
        raise EraRefused(f"{name} is cut off in the middle of line {line:,} ('{echo(tail, 40)}'): the file ends "
                         "before its last segments; nothing was posted (ask the payer or clearinghouse to send it "
                         "again)")
    lines = tuple(starts) if len(set(starts)) == len(starts) else tuple(range(1, len(starts) + 1))
    joiner = terminator if terminator == "\n" else terminator + "\n"
    return Prepared(joiner.join(segments) + joiner, lines, _unknown(segments, lines, element))


def _unknown(segments: list[str], lines: tuple[int, ...], element: str) -> tuple[str, ...]:
    found = []
    for segment, line in zip(segments, lines, strict=True):
        name = segment.partition(element)[0]
        if name not in SEGMENTS:
            found.append(f"line {line}: '{echo(name, 20)}' is not a segment of an 835" if name else
                         f"line {line}: a segment without its name (it begins with a separator)")
    return tuple(found)


def _separators(text: str, name: str) -> tuple[str, str]:
    """The element separator and segment terminator the ISA names (the component separator is pyx12's to read).

    ISA16, the component separator, is the character after the ISA's 16th element separator, and the terminator the
    one after that; the ISA's padding may be trimmed, and a wrapped file may break it across lines."""
    element = text[3]
    if element.isalnum() or element in " \t\n":
        raise EraRefused(f"{name} is not an X12 file (its first segment, ISA, is followed by '{echo(element, 5)}' "
                         "where the element separator should be); nothing was posted")
    found, position = 0, 3
    while found < 16 and position < min(len(text), 200):
        found += text[position] == element
        position += 1
    while position < len(text) and text[position] == "\n":
        position += 1
    if found < 16 or position + 1 >= len(text):
        raise EraRefused(f"{name} is not an X12 file (its ISA segment is cut short or does not have its 16 elements); "
                         "nothing was posted")
    component, terminator = text[position], text[position + 1]
    if terminator == "\n":
        following = text[position + 1:].lstrip("\n \t")[:1]
        if following and not following.isalpha():
            terminator = following  # a line wrapped just before the terminator
    for what, mark in (("component separator (ISA16)", component), ("segment terminator", terminator)):
        if (mark.isalnum() or mark in (" ", "\t", element)) or (mark == component and what == "segment terminator"):
            raise EraRefused(f"{name} is not an X12 file (its ISA segment gives '{echo(mark, 5)}' as its {what}, "
                             "which cannot be one); nothing was posted")
    return element, terminator


def _pad_isa(segment: str, element: str, line: int, name: str) -> str:
    """The ISA with each element at its fixed width (pyx12 reads the ISA as its first 106 characters)."""
    if segment[3:4] != element:
        raise EraRefused(f"{name}: line {line:,}: this interchange (ISA) separates its elements with "
                         f"'{echo(segment[3:4], 5)}' where the first one in the file uses '{echo(element, 5)}'; "
                         "nothing was posted (import each interchange as a file of its own)")
    values = segment.split(element)[1:]
    if len(values) != len(ISA_WIDTHS):
        raise EraRefused(f"{name}: line {line:,}: the interchange header (ISA) has {len(values)} elements where it "
                         f"must have {len(ISA_WIDTHS)}; nothing was posted")
    padded = []
    for position, (value, width) in enumerate(zip(values, ISA_WIDTHS, strict=True), start=1):
        if position in ISA_SPACE_PADDED:
            value = value.ljust(width)
        elif position == ISA_CONTROL and value.isdigit():
            value = value.zfill(width)
        if len(value) != width:
            raise EraRefused(f"{name}: line {line:,}: ISA{position:02d} of the interchange header is "
                             f"'{echo(value, 40)}', {len(value)} characters where it must have {width}; "
                             "nothing was posted")
        padded.append(value)
    return element.join(["ISA", *padded])


def _pad_iea(segment: str, element: str) -> str:
    """An IEA's control number zero-filled as its ISA13 is (a sender that trims one trims both)."""
    values = segment.split(element)
    if values[0] == "IEA" and len(values) == 3 and values[2].isdigit():
        values[2] = values[2].zfill(ISA_WIDTHS[ISA_CONTROL - 1])
        return element.join(values)
    return segment


def _looks_like(text: str) -> str:
    """What a file that is not X12 seems to be, said in the refusal; that it does not begin as X12 when it is hard
    to say."""
    start = text.lstrip()
    if start.startswith("%PDF"):
        return "it is a PDF document, not the 835 file itself"
    if start.startswith("<"):
        return "it looks like a web page or an XML file"
    lines = [line for line in text.split("\n", 6)[:6] if line.strip()]
    for mark, word in sorted(CSV_SEPARATORS.items(), key=lambda item: -lines[0].count(item[0])) if lines else ():
        if all(mark in line for line in lines):
            return f"it looks like a CSV file, values separated by {word}, not an 835 remittance"
    return "it does not begin with an ISA segment"


def unsafe_values(segments: list[Seg]) -> list[str]:
    """An element holding a control or text-direction character, as "line N: N102 holds ...", each one."""
    found = []
    for seg in segments:
        for position, value in enumerate(seg.values, start=1):
            if seg.id == "ISA" and position in SEPARATOR_ELEMENTS:
                continue  # a separator, which may be a control character (some payers use \x1d and \x1f)
            what = unsafe_character(value.replace(seg.component, ""))  # composites keep their separator
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


def read_segments(prepared: Prepared, name: str) -> list[Seg]:
    import pyx12.errors
    import pyx12.x12file

    found: list[Seg] = []
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(prepared.text))
        for seg in reader:
            # Each element as get_value(f"{id}{i:02d}") gives it, without parsing that reference per element.
            values = [element.format() for element in seg.elements]
            found.append(Seg(prepared.line(reader.get_cur_line()), seg.get_seg_id() or "", values,
                             reader.subele_term or ":"))
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        raise EraRefused(f"{name} is not an X12 file ({echo(_not_x12(str(exc)))}); nothing was posted") from None
    except Exception:  # noqa: BLE001 - pyx12 on arbitrary bytes may fail any way; refuse, never crash
        _refuse_unknown(prepared, name)  # pyx12 stumbles on a stray segment (an SE without its ST)
        where = f"after line {found[-1].line}" if found else "at the start"
        raise EraRefused(f"{name} could not be read as X12 (a malformed segment {where}: is there a stray ~, * "
                         "or : inside a value?); nothing was posted") from None
    if not found or found[0].id != "ISA":
        raise EraRefused(f"{name} is not an X12 file (it does not begin with an ISA segment); nothing was posted")
    return found


def _refuse_unknown(prepared: Prepared, name: str) -> None:
    """Refuse naming the segments no 835 has, when there are some."""
    unknown = list(prepared.unknown)
    if unknown:
        more = f" (and {plural(len(unknown) - 1, 'more problem')})" if len(unknown) > 1 else ""
        raise EraRefused(f"{name} is not a valid 835; nothing was posted: {unknown[0]}{more}", unknown)


def check_kind(segments: list[Seg], prepared: Prepared, name: str) -> None:
    groups = [s for s in segments if s.id == "GS"]
    sets = [s for s in segments if s.id == "ST"]
    if not groups or not sets:
        _refuse_unknown(prepared, name)  # a mistyped GS or ST
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


def validate(prepared: Prepared, name: str) -> tuple[list[str], list[str]]:
    """pyx12's findings as (fatal, warnings), each "line N: what" in plain words."""
    import pyx12.errors
    import pyx12.params
    import pyx12.x12n_document

    out = io.StringIO()
    try:
        pyx12.x12n_document.x12n_document(pyx12.params.ParamsBase(), io.StringIO(prepared.text), None, None,
                                            fd_json=out)
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
        fatal += _envelope_errors(interchange, prepared)
        for group in interchange.get("groups", []):
            fatal += _envelope_errors(group, prepared)
            for transaction in group.get("transactions", []):
                fatal += _envelope_errors(transaction, prepared)
                for seg in transaction.get("segments", []):
                    where = f"line {prepared.line(seg.get('cur_line') or 0)}: "
                    seg_id = seg.get("seg_id") or ""
                    for err in seg.get("errors", []):
                        (fatal if seg_id in ENVELOPE else warnings).append(where + _readable(err["err_str"]))
                    read = READ_ELEMENTS.get(seg_id, set())
                    for ele in seg.get("elements", []):
                        hit = read is None or ele.get("ele_pos") in read
                        for err in ele.get("errors", []):
                            (fatal if hit else warnings).append(where + _readable(err["err_str"]))
    return fatal, warnings


def _envelope_errors(node: dict[str, Any], prepared: Prepared) -> list[str]:
    line = node.get("cur_line")
    where = f"line {prepared.line(line)}: " if line else ""
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


# pyx12's messages in plain words (those the other messages and tests quote, such as 'Mandatory segment "..."
# (PER) missing' and 'Data element "..." (CLP04) is type R, contains an invalid character', keep their start).
_ELEMENT = r'Data element "(?P<name>[^"]*)" \((?P<ref>\w+)\)'
_TYPES = {"R": "a number", "N0": "a whole number", "N2": "an amount", "DT": "a date", "TM": "a time", "ID": "a code"}
_REWRITES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Segment (\w+)\S* not found"), r"segment \1 is not expected at this place in an 835"),
    (re.compile(r"(Segment|Loop) (\w+) found but marked as not used"),
     lambda m: f"{m.group(1).lower()} {m.group(2)} is not used at this place in an 835"),
    (re.compile(r"(Segment|Loop) (\w+) exceeded max count\. Found (\d+), should have (\d+)"),
     lambda m: f"{m.group(1).lower()} {m.group(2)} comes {m.group(3)} times where an 835 has it at most "
               f"{_times(int(m.group(4)))}"),
    (re.compile(r"Segment contains trailing element terminators"),
     "the segment ends with an empty element (a separator right before its end)"),
    (re.compile(r"Segment contains a leading space"), "the segment begins with a space"),
    (re.compile(r'Segment identifier "(.*)" is invalid'), r"'\1' is not a segment name"),
    (re.compile(_ELEMENT + r' is too (?P<how>long|short): len\("(?P<value>.*)"\) = (?P<has>\d+) [<>] (?P<may>\d+) '
                r"\((?:max|min)_len\)"),
     lambda m: f'Data element "{m["name"]}" ({m["ref"]}) is too {m["how"]}: {m["has"]} characters where '
               f'{"at most" if m["how"] == "long" else "at least"} {m["may"]} are allowed ("{echo(m["value"], 40)}")'),
    (re.compile(_ELEMENT + r" has unnecessary trailing spaces\. \((?P<value>.*)\)"),
     lambda m: f'Data element "{m["name"]}" ({m["ref"]}) ends with spaces ("{m["value"]}")'),
    (re.compile(_ELEMENT + r" is marked as Not Used"),
     lambda m: f'Data element "{m["name"]}" ({m["ref"]}) should be empty in an 835'),
    (re.compile(_ELEMENT + r" is type (?P<type>\w+), contains an invalid character\((?P<value>.*)\)"),
     lambda m: f'Data element "{m["name"]}" ({m["ref"]}) is type {m["type"]}, contains an invalid character: '
               f'"{m["value"]}" is not {_TYPES.get(m["type"], "what it may hold")}'),
    (re.compile(_ELEMENT + r" contains an invalid (?P<what>date|time) \((?P<value>.*)\)"),
     lambda m: f'Data element "{m["name"]}" ({m["ref"]}) holds "{m["value"]}", which is not a {m["what"]}'),
    (re.compile(r"\((.*)\) is not a valid code for (.+)"), r"'\1' is not a valid code for \2"),
    (re.compile(r"Syntax Error \(\w+\): "), ""),
]


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count:,} times")


def _readable(message: str) -> str:
    message = " ".join(re.sub(r"\s*Started at /\S*", "", message).split()).rstrip(".")
    for pattern, replacement in _REWRITES:
        found = pattern.match(message)
        if found:
            plain = found.expand(replacement) if isinstance(replacement, str) else replacement(found)
            return plain + message[found.end():]
    return message


def line_of(problem: str) -> int:
    found = re.match(r"line (\d+)", problem)
    return int(found.group(1)) if found else 0

