"""Hiring: one open opening for a medical assistant (posted 12 days ago) with two applicants in the pipeline, one at
interview with the manager's note (for 9 days: on the Huddle) and one at phone screen, and an older opening's
applicant declined 400 days ago, past the year's retention, so the purge has something to do."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.engine import Connection

from officemgr.demo._db import _insert, _phone, _with_ids
from officemgr.demo._types import Person
from officemgr.models import Role
from officemgr.models.hiring import Applicant, ApplicantNote, ApplicantStage, JobOpening


def _add_hiring(conn: Connection, rng: random.Random, staff: list[Person], today: date) -> None:
    manager = next((p.name for p in staff if p.role is Role.manager), "")
    days = timedelta
    openings = _with_ids(conn, JobOpening, [
        {"version": 1, "title": "Medical assistant", "role": Role.ma.value, "hours_per_week": 40,
         "posted_on": today - days(12), "closed_on": None, "note": ""},
        {"version": 1, "title": "Front desk (part time)", "role": Role.front_desk.value, "hours_per_week": 24,
         "posted_on": today - days(460), "closed_on": today - days(395), "note": ""}])
    _insert(conn, JobOpening, openings)
    current, old = openings[0]["id"], openings[1]["id"]

    def person(opening: int, first: str, last: str, stage: ApplicantStage, applied: date,
               closed: date | None = None) -> dict[str, object]:
        return {"version": 1, "opening_id": opening, "first_name": first, "last_name": last,
                "phone": _phone(rng), "email": f"{first.lower()}.{last.lower()}@example.com", "stage": stage.value,
                "applied_on": applied, "closed_on": closed, "staff_id": None}

    applicants = _with_ids(conn, Applicant, [
        person(current, "Maya", "Okafor", ApplicantStage.interview, today - days(11)),
        person(current, "Luis", "Ferreira", ApplicantStage.phone_screen, today - days(6)),
        person(old, "Dana", "Whitfield", ApplicantStage.declined, today - days(440), today - days(400))])
    _insert(conn, Applicant, applicants)
    maya, luis, dana = (a["id"] for a in applicants)

    def note(applicant: int, stage: ApplicantStage, day: date, text: str) -> dict[str, object]:
        return {"version": 1, "applicant_id": applicant, "stage": stage.value, "noted_on": day,
                "interviewer": manager, "note": text}

    _insert(conn, ApplicantNote, [
        note(maya, ApplicantStage.phone_screen, today - days(10), "Two years in a family practice; can start soon"),
        # Interviewed 9 days ago and no move since: on the manager's Huddle.
        note(maya, ApplicantStage.interview, today - days(9), "Strong on rooming and vitals; call references"),
        note(luis, ApplicantStage.phone_screen, today - days(2), ""),
        note(dana, ApplicantStage.declined, today - days(400), "Hours did not fit")])
