"""Equipment that needs regular service, with its service log: one piece overdue, one due within two weeks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Connection

from officemgr.demo._db import _insert, _open_on_or_before, _with_ids
from officemgr.demo._types import DemoSummary, Person
from officemgr.demo.inventory import aed_check_day
from officemgr.models import Equipment, EquipmentService, Role

BIOMED = "Tri-State Biomedical"


@dataclass(frozen=True)
class EquipmentSpec:
    name: str
    serial_prefix: str
    location: str
    every_days: int
    service_by: str  # a vendor, or "" for a check done in-house by the clinical staff
    note: str
    due_in: int | None  # days from today to the next service; None: the AED, checked on aed_check_day
    history: int  # services in the log
    what: str  # the log's note for a routine service


EQUIPMENT = (
    EquipmentSpec("Autoclave (Midmark M11)", "V-M11-", "Sterilization", 365, BIOMED,
                  "Yearly service; the weekly spore test is on the compliance checklist", 170, 3,
                  "Yearly service: door gasket replaced, chamber cleaned, temperature and pressure verified"),
    EquipmentSpec("AED (Philips HeartStart FRx)", "B21K-", "Crash cart", 30, "",
                  "Monthly check: status light, pads and battery install-by dates", None, 12,
                  "Status light blinking green; pads and battery in date"),
    EquipmentSpec("Vaccine fridge data logger (LogTag UTRED30)", "LT-", "Vaccine fridge", 365,
                  "LogTag calibration service", "Send for calibration; keep the certificate (CDC toolkit)", 10, 2,
                  "Calibrated; certificate of calibration filed"),
    EquipmentSpec("ECG machine (Welch Allyn ELI 250c)", "EL250-", "Exam room 3", 365, BIOMED,
                  "Preventive maintenance and electrical safety check", -12, 3,
                  "Preventive maintenance and electrical safety check passed"),
    EquipmentSpec("Spirometer (MIR Spirobank II)", "SB2-", "Exam room 2", 365, BIOMED,
                  "Yearly service; daily 3 L syringe calibration check by staff", 240, 2,
                  "Yearly service: turbine replaced, calibration verified with 3 L syringe"),
    EquipmentSpec("Centrifuge (Drucker 642E)", "642E-", "Lab", 365, BIOMED,
                  "Yearly tachometer and timer check", 75, 3, "Speed (tachometer) and timer checked; within spec"),
)


def _add_equipment(conn: Connection, rng: random.Random, staff: list[Person], today: date,
                   summary: DemoSummary) -> None:
    clinical = [p.name for p in staff if p.role in (Role.nurse, Role.ma)] or [staff[0].name]
    manager = next((p.name for p in staff if p.role is Role.manager), staff[0].name)
    rows, logs = [], []
    for spec in EQUIPMENT:
        if spec.due_in is None:
            last = aed_check_day(today)
        else:
            # Serviced on a day the practice was open: due a day or two earlier than `due_in`.
            last = _open_on_or_before(today + timedelta(days=spec.due_in - spec.every_days))
        rows.append({
            "name": spec.name, "serial_number": spec.serial_prefix + str(rng.randint(100_000, 999_999)),
            "location": spec.location, "service_every_days": spec.every_days,
            "service_by": spec.service_by or "Nurse / MA (in-house)", "last_service": last, "note": spec.note,
            "next_due": last + timedelta(days=spec.every_days), "active": True, "version": 1 + spec.history,
        })
        for back in range(spec.history - 1, -1, -1):
            # Earlier services: one interval apart, a few days either way (a monthly check slips to a workday).
            on = _open_on_or_before(last - timedelta(days=back * spec.every_days + (rng.randint(-3, 3) if back else 0)))
            done_by = spec.service_by or rng.choice(clinical)
            note = spec.what
            if spec.due_in is None and back == 0:
                note = "Battery past its install-by date: replaced with the spare; 2 batteries and pads ordered"
            logs.append({"on": on, "done_by": done_by, "note": note,
                         "at": datetime.combine(on, time(12)) + timedelta(minutes=rng.randrange(0, 240, 5)),
                         "actor": done_by if not spec.service_by else manager, "_name": spec.name})
    rows = _with_ids(conn, Equipment, rows)
    ids = {row["name"]: row["id"] for row in rows}
    summary.equipment = _insert(conn, Equipment, rows)
    for log in logs:
        log["equipment_id"] = ids[log.pop("_name")]
    summary.equipment_services = _insert(conn, EquipmentService, _with_ids(conn, EquipmentService, logs))
