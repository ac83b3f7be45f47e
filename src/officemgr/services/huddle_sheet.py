"""The huddle sheet to print or hand round: the day's numbers, each section's items, the open actions, and
(once the huddle is finished) who attended and the notes. Markdown, and a one-page HTML with inline CSS.

Patient names are whatever the Huddle holds: it is built with privacy on by default (initials only).
`save_sheet` writes the pair of files for the Huddle tab's `p`, never over a sheet printed earlier.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from officemgr.outfiles import OutputRefused, write_private
from officemgr.plaintext import html_text, visible
from officemgr.services.format import money, plural

if TYPE_CHECKING:
    from officemgr.services.huddle import Huddle
    from officemgr.services.huddle_actions import ActionRow, FinishedHuddle

NO_ACTIONS = "No open actions"


def _title(h: Huddle) -> str:
    return f"Daily huddle — {h.today:%A %m/%d/%Y}"


def numbers_line(h: Huddle) -> str:
    """'Appointments 24 · Open slots 5 · Staff out 1 · A/R over 90 days $1,200.00 · Overdue duties 2'."""
    n = getattr(h, "numbers", None)
    if n is None:
        return f"Items {h.total}"
    ar = f"A/R over 90 days {money(n.ar_over_90_cents)} · " if n.ar_over_90_cents is not None else ""
    return (f"Appointments {n.appointments} · Open slots {n.open_slots} · Staff out {n.staff_out} · "
            f"{ar}Overdue duties {n.overdue_duties}")


def for_paper(h: Huddle) -> Huddle:
    """The Huddle fit for paper and the meeting's record: who failed to sign in and why someone used emergency
    access stay on the manager's screen."""
    from officemgr.services.huddle import ACCESS

    return replace(h, sections=[s for s in h.sections if s.key != ACCESS])


def _action_text(a: ActionRow) -> str:
    due = f"due {a.due:%m/%d}" + (" (overdue)" if a.overdue else "")
    return f"{a.owner}: {a.what} — {due}"


# --- Markdown -----------------------------------------------------------------------------------------

_MD_SPECIAL = set("\\`*_[]<>#|~!")


def _md(text: str) -> str:
    """User text made literal in Markdown: punctuation that means something escaped, line breaks flattened, control
    characters spelled out."""
    flat = visible(" ".join(str(text).split()))
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in flat)


def markdown(h: Huddle, actions: list[ActionRow], record: FinishedHuddle | None = None) -> str:
    lines = [f"# {_md(_title(h))}", "", f"**{_md(numbers_line(h))}**", ""]
    for s in for_paper(h).sections:
        count = f" ({len(s.items)})" if s.items else ""
        lines.append(f"## {_md(s.title)}{count}")
        lines.append("")
        if s.items:
            lines.extend(f"- {'**!** ' if i.urgent else ''}{_md(i.text)} — {_md(i.reason)}" for i in s.items)
        else:
            lines.append(f"_{_md(s.empty)}_")
        lines.append("")
    lines.append(f"## Open actions ({len(actions)})" if actions else "## Open actions")
    lines.append("")
    if actions:
        lines.extend(f"- {_md(_action_text(a))}" for a in actions)
    else:
        lines.append(f"_{NO_ACTIONS}_")
    lines.append("")
    if record is not None:
        lines.append("## Huddle")
        lines.append("")
        lines.append(f"- Attendees: {_md(record.attendees) or '—'}")
        lines.append(f"- Reviewed {record.items_reviewed} of {record.items_total} items, "
                     f"{plural(record.actions_created, 'action')} created")
        if record.notes:
            lines.append(f"- Notes: {_md(record.notes)}")
        lines.append("")
    return "\n".join(lines)


# --- HTML ---------------------------------------------------------------------------------------------

_CSS = """
@page { size: letter; margin: 0.5in; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 9pt; line-height: 1.25; margin: 0; color: #000; }
h1 { font-size: 13pt; margin: 0 0 2pt 0; }
.numbers { font-weight: bold; margin: 0 0 6pt 0; padding: 3pt 0; border-top: 1px solid #000;
           border-bottom: 1px solid #000; }
.columns { column-count: 2; column-gap: 16pt; }
section { break-inside: avoid; margin: 0 0 6pt 0; }
h2 { font-size: 10pt; margin: 0 0 2pt 0; border-bottom: 1px solid #999; }
ul { margin: 0; padding-left: 12pt; }
li { margin: 0 0 1pt 0; }
.reason { color: #444; }
.urgent { font-weight: bold; }
.empty { font-style: italic; color: #444; margin: 0; }
"""


_URGENT = ' class="urgent"'



def html(h: Huddle, actions: list[ActionRow], record: FinishedHuddle | None = None) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html_text(_title(h))}</title>",
        f"<style>{_CSS}</style>",
        "</head><body>",
        f"<h1>{html_text(_title(h))}</h1>",
        f'<p class="numbers">{html_text(numbers_line(h))}</p>',
        '<div class="columns">',
    ]
    for s in for_paper(h).sections:
        count = f" ({len(s.items)})" if s.items else ""
        out.append(f"<section><h2>{html_text(s.title)}{count}</h2>")
        if s.items:
            out.append("<ul>")
            out.extend(
                f"<li{_URGENT if i.urgent else ''}>{html_text(i.text)} "
                f'<span class="reason">— {html_text(i.reason)}</span></li>'
                for i in s.items
            )
            out.append("</ul>")
        else:
            out.append(f'<p class="empty">{html_text(s.empty)}</p>')
        out.append("</section>")
    out.append(f"<section><h2>Open actions{f' ({len(actions)})' if actions else ''}</h2>")
    if actions:
        out.append("<ul>")
        out.extend(f"<li{_URGENT if a.overdue else ''}>{html_text(_action_text(a))}</li>" for a in actions)
        out.append("</ul>")
    else:
        out.append(f'<p class="empty">{NO_ACTIONS}</p>')
    out.append("</section>")
    if record is not None:
        out.append("<section><h2>Huddle</h2><ul>")
        out.append(f"<li>Attendees: {html_text(record.attendees or '—')}</li>")
        out.append(f"<li>Reviewed {record.items_reviewed} of {record.items_total} items, "
                   f"{plural(record.actions_created, 'action')} created</li>")
        if record.notes:
            out.append(f"<li>Notes: {html_text(record.notes)}</li>")
        out.append("</ul></section>")
    out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# --- files --------------------------------------------------------------------------------------------

SHEET_TRIES = 100  # sheets of one day in one folder before the folder is called full


def save_sheet(folder: Path, day: date, markdown_text: str, html_text: str) -> tuple[Path, Path]:
    """Write huddle-DAY.md and huddle-DAY.html in `folder` (private, by officemgr.outfiles' rules) and return them.

    A sheet printed earlier is never replaced: when either name is taken the next free pair is used
    (huddle-2026-11-23-2.md and .html, then -3...). OutputRefused says why nothing could be written."""
    for number in range(1, SHEET_TRIES + 1):
        stem = f"huddle-{day:%Y-%m-%d}" + (f"-{number}" if number > 1 else "")
        pair = folder / f"{stem}.md", folder / f"{stem}.html"
        if any(os.path.lexists(path) for path in pair):
            continue
        written: list[Path] = []
        try:
            for path, text in zip(pair, (markdown_text, html_text), strict=True):
                write_private(path, text.encode("utf-8"))
                written.append(path)
        except OutputRefused:
            for path in written:  # half a pair is no sheet
                os.unlink(path)
            if any(os.path.lexists(path) for path in pair):
                continue  # another sheet took the name meanwhile
            raise
        return pair
    raise OutputRefused(f"{folder} already holds {SHEET_TRIES} huddle sheets for {day:%m/%d/%Y}; "
                        "move some of them elsewhere")
