"""The bench's import figures (issue 20 item 13): 10,000 appointments from a .csv file, and an 835 paying 5,000
claims, each posted on a fresh copy of the demo database and timed from the file to the commit."""

from __future__ import annotations

import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from officemgr import store
from officemgr.bench.runner import BenchError
from officemgr.models import Appointment, Claim, ClaimStatus, Patient, Payer, Staff
from officemgr.services import availability, era, interop, schedule
from officemgr.services.common import ServiceError

APPOINTMENTS = 10_000
CLAIMS = 5_000
FIRST_FREE_WEEK = 4  # weeks ahead of today: past the demo's bookings, so every slot is free
PAYER = "BENCH HEALTH PLAN"


def appointments_csv(engine: Engine, today: date, rows: int) -> str:
    """`rows` bookings of the first appointment type in the free slots (outside blocks and bookings) from
    FIRST_FREE_WEEK on, each for a new patient (the costlier case: a patient and two audit events a row), as a
    scheduler's export gives them."""
    with store.read_session(engine) as session:
        kind = schedule.appointment_types(session)[0]
        providers = {p.id: p.npi or p.name for p in session.exec(select(Staff).where(Staff.is_provider, Staff.active))
                     if p.id is not None}
        calendar = availability.read_calendar(session)
        length = timedelta(minutes=kind.minutes)
        lines = ["date,time,minutes,provider,patient_last,patient_first,dob,type"]
        day = today + timedelta(weeks=FIRST_FREE_WEEK)
        while len(lines) <= rows:
            first = datetime.combine(day, datetime.min.time())
            booked = session.exec(select(Appointment.provider_id, Appointment.start, Appointment.end).where(
                Appointment.start >= first, Appointment.start < first + timedelta(days=1),
                col(Appointment.status).in_(availability.ACTIVE))).all()
            for provider_id, plan in availability.day_plans(session, day, list(providers), calendar).items():
                if plan.hours is None:
                    continue
                taken = [(b.start, b.end) for b in plan.blocks] + [(s, e) for p, s, e in booked if p == provider_id]
                start, end = plan.hours
                while start + length <= end and len(lines) <= rows:
                    if not any(start < busy_end and start + length > busy_start for busy_start, busy_end in taken):
                        lines.append(f"{start:%m/%d/%Y},{start:%H:%M},{kind.minutes},{providers[provider_id]},"
                                     f"Bench{len(lines)},Pat,01/02/1970,{kind.name}")
                    start += length
            day += timedelta(days=1)
    return "\n".join(lines) + "\n"


def remittance(engine: Engine, today: date, claims: int) -> str:
    """An 835 paying `claims` claims that it first adds to the database (pending, $150.00 billed), each paid
    $100.00 with a $50.00 contractual adjustment."""
    with store.write_session(engine) as session:
        patient_id = session.exec(select(Patient.id).order_by(col(Patient.id))).first()
        payer = Payer(name=PAYER.title(), timely_filing_days=365)
        session.add(payer)
        session.flush()
        numbers = [f"BENCH{n:06d}" for n in range(claims)]
        session.execute(insert(Claim), [{"number": number, "patient_id": patient_id, "payer_id": payer.id,
                                         "service_date": today - timedelta(days=30), "billed_cents": 15_000,
                                         "status": ClaimStatus.pending, "submitted_on": today - timedelta(days=28),
                                         "deadline": today + timedelta(days=300)} for number in numbers])
        session.commit()
    stamp = today.strftime("%Y%m%d")
    body = ["ST*835*0001", f"BPR*I*{claims * 100}.00*C*CHK************{stamp}", "TRN*1*BENCH1*1512345678",
            f"DTM*405*{stamp}", f"N1*PR*{PAYER}", "N3*1 MAIN ST", "N4*SPRINGFIELD*IL*62701",
            "PER*BL*CLAIMS*TE*8005551212", "N1*PE*SMALL PRACTICE*XX*1234567893", "LX*1"]
    for number in numbers:
        body += [f"CLP*{number}*1*150.00*100.00**12*P{number}", "CAS*CO*45*50.00", "NM1*QC*1*DOE*JANE****MI*W1"]
    body.append(f"SE*{len(body) + 1}*0001")
    isa = (f"ISA*00*{'':10}*00*{'':10}*ZZ*{'PAYERID':<15}*ZZ*{'PRACTICE':<15}*{today:%y%m%d}*1200*^*00501*"
           "000000001*0*P*:")
    segments = [isa, f"GS*HP*PAYERID*PRACTICE*{stamp}*1200*1*X*005010X221A1", *body, "GE*1*1", "IEA*1*000000001"]
    return "~\n".join(segments) + "~\n"


def import_seconds(database: Path, work: Path, today: date, runs: int) -> dict[str, list[float]]:
    """Each import `runs` times on a fresh copy of `database`: seconds from reading the file to the commit, and
    those seconds per 1,000 rows."""
    found: dict[str, list[float]] = {"import_appointments": [], "import_era": []}
    now = datetime.combine(today, datetime.min.time()).replace(hour=8)
    for _ in range(runs):
        for figure in found:
            copy = work / "imports.db"
            for stale in work.glob("imports.db*"):
                stale.unlink()
            shutil.copyfile(database, copy)
            engine = store.open_database(path=copy)
            try:
                if figure == "import_appointments":
                    path = work / "appointments.csv"
                    path.write_text(appointments_csv(engine, today, APPOINTMENTS), encoding="utf-8")
                else:
                    path = work / "remittance.835"
                    path.write_text(remittance(engine, today, CLAIMS), encoding="ascii")
                with store.write_session(engine) as session:
                    start = time.perf_counter()
                    if figure == "import_appointments":
                        done = interop.import_appointments(session, path, now=now, actor="bench").booked
                    else:
                        done = era.post_file(session, path, today=today, now=now, actor="bench").posted
                    found[figure].append(time.perf_counter() - start)
            except ServiceError as exc:
                raise BenchError(f"the {figure} figure's file was refused: {exc}") from None
            finally:
                engine.dispose()
            if done != (APPOINTMENTS if figure == "import_appointments" else CLAIMS):
                raise BenchError(f"the {figure} figure posted {done} rows, not all of them")
    # The same runs per 1,000 rows, so imports of other sizes (and the two files) compare.
    found["import_appointments_per_1000"] = [s * 1000 / APPOINTMENTS for s in found["import_appointments"]]
    found["import_era_per_1000"] = [s * 1000 / CLAIMS for s in found["import_era"]]
    return found
