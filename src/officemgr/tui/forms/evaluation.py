"""The evaluation form (each competency rated 1-5 with a comment, the overall note, up to three goals, the
reviewer), the employee's sign-off, and a role's template of competencies (the manager's)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from officemgr.services.evaluations import MAX_COMPETENCIES, EvaluationDone, GoalIn, RatingIn, SignOff
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors

GOALS = 3


def _message(exc: ValidationError) -> str:
    return next(iter(validation_errors(exc).values()), "not valid")


class EvaluationForm(RecordForm[EvaluationDone]):
    """One row per competency of the person's role: its rating and a comment."""

    def __init__(self, ctx: AppContext, save: SaveCall[EvaluationDone], *, staff_id: int, name: str, due: date,
                 what: str, competencies: list[str], reviewer: str) -> None:
        self.staff_id, self.due, self.competencies, self.reviewer = staff_id, due, competencies, reviewer
        super().__init__(ctx, save)
        self.FORM_TITLE = f"{what} for {name}, due {due:%m/%d/%Y}"

    def fields(self) -> list[FieldSpec]:
        specs = [FieldSpec("done_on", "Done on", kind="date", placeholder="MM/DD/YYYY"),
                 FieldSpec("reviewer", "Reviewer")]
        for n, name in enumerate(self.competencies):
            specs.append(FieldSpec(f"rating_{n}", f"{name} (1-5)", placeholder="1 poor … 5 excellent"))
            specs.append(FieldSpec(f"comment_{n}", "  comment", optional=True))
        specs.append(FieldSpec("note", "Overall", optional=True, placeholder="overall note"))
        for g in range(GOALS):
            specs.append(FieldSpec(f"goal_{g}", f"Goal {g + 1}", optional=True))
            specs.append(FieldSpec(f"goal_{g}_due", "  due by", optional=True, kind="date", placeholder="MM/DD/YYYY"))
        return specs

    def initial(self) -> dict[str, Any]:
        return {"done_on": self.ctx.today, "reviewer": self.reviewer}

    def build(self, values: dict[str, Any]) -> EvaluationDone:
        errors: dict[str, str] = {}
        ratings = []
        for n, name in enumerate(self.competencies):
            try:
                ratings.append(RatingIn.model_validate({"competency": name, "rating": values[f"rating_{n}"],
                                                        "comment": values[f"comment_{n}"] or ""}))
            except ValidationError as exc:
                field = "rating_{}" if any(e["loc"] == ("rating",) for e in exc.errors()) else "comment_{}"
                errors[field.format(n)] = _message(exc)
        goals = []
        for g in range(GOALS):
            text, due = values[f"goal_{g}"], values[f"goal_{g}_due"]
            if text is None:
                if due is not None:
                    errors[f"goal_{g}_due"] = "write the goal above, or clear this date"
                continue
            try:
                goals.append(GoalIn.model_validate({"goal": text, "due": due}))
            except ValidationError as exc:
                name = f"goal_{g}_due" if any(e["loc"] == ("due",) for e in exc.errors()) else f"goal_{g}"
                errors[name] = _message(exc)
            if isinstance(due, date) and isinstance(values["done_on"], date) and due <= values["done_on"]:
                errors[f"goal_{g}_due"] = "a goal's due date comes after the evaluation"
        model = None
        try:
            model = EvaluationDone.model_validate({
                "staff_id": self.staff_id, "due": self.due, "done_on": values["done_on"],
                "reviewer": values["reviewer"] or "", "note": values["note"] or "", "ratings": ratings,
                "goals": goals})
        except ValidationError as exc:
            for name, message in validation_errors(exc).items():
                errors.setdefault(name, message)
        if isinstance(values["done_on"], date) and values["done_on"] > self.ctx.today:
            errors.setdefault("done_on", "an evaluation cannot be done in the future")
        if errors or model is None:
            raise FieldErrors(errors)
        return model


class SignOffForm(RecordForm[SignOff]):
    """The employee read the evaluation: their comments and the day they signed."""

    def __init__(self, ctx: AppContext, save: SaveCall[SignOff], *, name: str, done_on: date) -> None:
        self.done_on = done_on
        super().__init__(ctx, save)
        self.FORM_TITLE = f"{name} signs the evaluation done {done_on:%m/%d/%Y}"

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("comments", "Employee's comments", optional=True),
                FieldSpec("signed_on", "Signed on", kind="date", placeholder="MM/DD/YYYY")]

    def initial(self) -> dict[str, Any]:
        return {"signed_on": self.ctx.today}

    def build(self, values: dict[str, Any]) -> SignOff:
        model = SignOff.model_validate({"comments": values["comments"] or "", "signed_on": values["signed_on"]})
        if model.signed_on < self.done_on:
            raise FieldErrors({"signed_on": f"not before the evaluation was done ({self.done_on:%m/%d/%Y})"})
        return model


class TemplateForm(RecordForm[list[str]]):
    """A role's competencies, one per field; empty fields are left out."""

    def __init__(self, ctx: AppContext, save: SaveCall[list[str]], *, label: str, competencies: list[str]) -> None:
        self.current = competencies
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Competencies rated: {label}"

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec(f"c_{n}", f"Competency {n + 1}", optional=True) for n in range(MAX_COMPETENCIES)]

    def initial(self) -> dict[str, Any]:
        return {f"c_{n}": name for n, name in enumerate(self.current)}

    def build(self, values: dict[str, Any]) -> list[str]:
        lines = [values[f"c_{n}"] for n in range(MAX_COMPETENCIES) if values[f"c_{n}"]]
        if not lines:
            raise FieldErrors({"c_0": "a template needs at least one competency"})
        return lines
