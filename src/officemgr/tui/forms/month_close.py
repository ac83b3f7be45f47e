"""The month-end close's forms: a tick's note, closing the month (naming the steps not ticked), reopening it with a
reason, and where to write the month's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall

FORMATS = {"md": "Markdown (.md)", "html": "Printable page (.html)"}


@dataclass(frozen=True)
class TickNote:
    note: str


@dataclass(frozen=True)
class CloseChoice:
    force: bool  # close although steps are not ticked


@dataclass(frozen=True)
class ReopenReason:
    reason: str


@dataclass(frozen=True)
class ReportFile:
    path: Path
    format: str  # md | html
    replace: bool


class TickForm(RecordForm[TickNote]):
    def __init__(self, ctx: AppContext, save: SaveCall[TickNote], label: str) -> None:
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Tick: {label}"

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("note", "Note", optional=True, placeholder="optional: what was checked")]

    def build(self, values: dict[str, Any]) -> TickNote:
        return TickNote(values["note"] or "")


class CloseForm(RecordForm[CloseChoice]):
    def __init__(self, ctx: AppContext, save: SaveCall[CloseChoice], month: date, unticked: tuple[str, ...]) -> None:
        self.unticked = unticked
        super().__init__(ctx, save)
        title = f"Close {month:%B %Y}: postings dated in it are refused from then on"
        if unticked:
            title += f"\nNot ticked: {', '.join(unticked)} (the audit log will name them)"
        self.FORM_TITLE = title

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("sure", "Close anyway" if self.unticked else "Close it", kind="check")]

    def build(self, values: dict[str, Any]) -> CloseChoice:
        if not values["sure"]:
            raise FieldErrors({"sure": "tick yes to close the month, or press escape"})
        return CloseChoice(force=bool(self.unticked))


class ReopenForm(RecordForm[ReopenReason]):
    def __init__(self, ctx: AppContext, save: SaveCall[ReopenReason], month: date) -> None:
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Reopen {month:%B %Y}"

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("reason", "Why", placeholder="e.g. a late EOB to post")]

    def build(self, values: dict[str, Any]) -> ReopenReason:
        reason = " ".join((values["reason"] or "").split())
        if not reason:
            raise FieldErrors({"reason": "say why the month is reopened"})
        return ReopenReason(reason)


class ReportFileForm(RecordForm[ReportFile]):
    def __init__(self, ctx: AppContext, save: SaveCall[ReportFile], month: date, folder: Path) -> None:
        self.default = folder / f"month-{month:%Y-%m}"
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Write the report for {month:%B %Y}"

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("format", "Format", kind="select", options=[(label, key) for key, label in FORMATS.items()]),
                FieldSpec("path", "File", optional=True, placeholder=f"{self.default}.md or .html"),
                FieldSpec("replace", "Replace a file already there", kind="check")]

    def initial(self) -> dict[str, Any]:
        return {"format": "md"}

    def build(self, values: dict[str, Any]) -> ReportFile:
        fmt = values["format"] or "md"
        typed = values["path"]
        path = Path(typed).expanduser() if typed else self.default.with_suffix(f".{fmt}")
        if typed and path.suffix.lower() not in (".md", ".html", ".htm", ".txt"):
            path = path.with_name(f"{path.name}.{fmt}")
        return ReportFile(path, fmt, bool(values["replace"]))
