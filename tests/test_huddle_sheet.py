"""The printed huddle sheet (Markdown and HTML): numbers, every section, empty lines, actions, user text escaped."""

from __future__ import annotations

from datetime import timedelta

from factories import TODAY
from officemgr.models.huddle import ActionStatus
from officemgr.services import huddle_sheet
from officemgr.services.huddle import Huddle, HuddleItem, Numbers, Section
from officemgr.services.huddle_actions import ActionRow, FinishedHuddle


def day() -> Huddle:
    return Huddle(TODAY, [
        Section("yesterday", "Yesterday (Fri 11/20)", "schedule", "No no-shows yesterday", []),
        Section("schedule", "Today's schedule", "schedule", "No appointments today", [
            HuddleItem("Dr Who: 8 booked, 2 open slots", "open slots to fill", "schedule", key="slots:1"),
            HuddleItem("10:00 <b>Bob</b> [bold]Smith[/bold] (Dr Who)", "double-booked", "schedule", 2, urgent=True,
                       key="dbl:2"),
        ]),
        Section("staffing", "Staffing", "staff", "No staffing gaps today", [
            HuddleItem("Mary Jones (MA)", "out today: vacation", "staff", 3, key="out:3"),
        ]),
        Section("compliance", "Compliance", "compliance", "Nothing due in compliance", []),
    ], Numbers(appointments=24, open_slots=5, staff_out=1, ar_over_90_cents=1_234_56, overdue_duties=2))


def actions() -> list[ActionRow]:
    return [
        ActionRow(1, 1, "Call <lab> & fax", 3, "Amy Zane", TODAY - timedelta(days=1), ActionStatus.open,
                  TODAY - timedelta(days=2), "", True),
        ActionRow(2, 1, "Order gloves", 4, "Zed Adams", TODAY + timedelta(days=2), ActionStatus.open, TODAY,
                  "low:9", False),
    ]


def saved() -> FinishedHuddle:
    return FinishedHuddle(day=TODAY, attendees="Mary, <i>Dr Who</i>", notes="Flu clinic Friday", items_total=3,
                          items_reviewed=3, actions_created=1)


NUMBERS = "Appointments 24 · Open slots 5 · Staff out 1 · A/R over 90 days $1,234.56 · Overdue duties 2"


def test_markdown_has_title_numbers_sections_empty_lines_and_actions() -> None:
    text = huddle_sheet.markdown(day(), actions())
    lines = text.splitlines()
    assert lines[0] == "# Daily huddle — Monday 11/23/2026"
    assert f"**{NUMBERS}**" in lines
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == ["## Yesterday (Fri 11/20)", "## Today's schedule (2)", "## Staffing (1)", "## Compliance",
                        "## Open actions (2)"]
    assert "_No no-shows yesterday_" in lines and "_Nothing due in compliance_" in lines
    assert "- Dr Who: 8 booked, 2 open slots — open slots to fill" in lines
    assert "- Mary Jones (MA) — out today: vacation" in lines
    # Urgent items are flagged; user text cannot become Markdown or HTML.
    assert r"- **!** 10:00 \<b\>Bob\</b\> \[bold\]Smith\[/bold\] (Dr Who) — double-booked" in lines
    assert "<b>" not in text and "[bold]" not in text
    assert r"- Amy Zane: Call \<lab\> & fax — due 11/22 (overdue)" in lines
    assert "- Zed Adams: Order gloves — due 11/25" in lines
    assert "Attendees" not in text


def test_markdown_with_a_saved_record_and_without_actions() -> None:
    text = huddle_sheet.markdown(day(), [], saved())
    assert "_No open actions_" in text
    assert r"- Attendees: Mary, \<i\>Dr Who\</i\>" in text
    assert "- Reviewed 3 of 3 items, 1 action created" in text
    assert "- Notes: Flu clinic Friday" in text


def test_html_is_one_printable_page_with_everything_escaped() -> None:
    page = huddle_sheet.html(day(), actions(), saved())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<style>" in page and "column-count: 2" in page and "font-size: 9pt" in page
    assert "<h1>Daily huddle — Monday 11/23/2026</h1>" in page
    assert f'<p class="numbers">{NUMBERS}</p>' in page
    for title in ("Yesterday (Fri 11/20)", "Today&#x27;s schedule (2)", "Staffing (1)", "Compliance",
                  "Open actions (2)", "Huddle"):
        assert f"<h2>{title}</h2>" in page
    assert '<p class="empty">No no-shows yesterday</p>' in page
    assert '<p class="empty">Nothing due in compliance</p>' in page
    assert ('<li class="urgent">10:00 &lt;b&gt;Bob&lt;/b&gt; [bold]Smith[/bold] (Dr Who) '
            '<span class="reason">— double-booked</span></li>') in page
    assert "<b>" not in page and "<i>" not in page and "<lab>" not in page
    assert '<li class="urgent">Amy Zane: Call &lt;lab&gt; &amp; fax — due 11/22 (overdue)</li>' in page
    assert "<li>Zed Adams: Order gloves — due 11/25</li>" in page
    assert "<li>Attendees: Mary, &lt;i&gt;Dr Who&lt;/i&gt;</li>" in page
    assert "<li>Notes: Flu clinic Friday</li>" in page


def test_html_without_actions_or_record() -> None:
    page = huddle_sheet.html(day(), [])
    assert '<p class="empty">No open actions</p>' in page
    assert "Attendees" not in page and "<h2>Huddle</h2>" not in page
