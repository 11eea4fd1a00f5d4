"""Forms (modals) in the console: filled field by field, or several at once as name:value.

Pure state over the modal's JSON; the console submits `values` once `complete` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.console.parse import LineError, split_words

Json = dict[str, Any]
SKIP = "-"  # typed for a field: leave it empty (or at its filled-in default)
CANCEL = "cancel"


@dataclass(frozen=True)
class Field:
    custom_id: str
    label: str
    required: bool
    default: str
    min_length: int
    max_length: int

    def names(self) -> set[str]:
        """What a person may type before the colon: its id, or its label (any case, _ or -)."""
        label = self.label.lower()
        return {self.custom_id.lower(), label.replace(" ", "_"), label.replace(" ", "-")}

    def prompt(self) -> str:
        need = "required" if self.required else f"optional, {SKIP} to leave it empty"
        if self.default:
            need = f"{SKIP} keeps: {self.default}"
        return f"{self.label} ({need}; up to {self.max_length:,} characters):"

    def check(self, text: str) -> str:
        if text == SKIP:
            if self.required and not self.default:
                raise LineError(f"'{self.label}' is required: type its text.")
            return self.default
        if not self.min_length <= len(text) <= self.max_length:
            raise LineError(
                f"'{self.label}' takes {self.min_length} to {self.max_length:,} characters, "
                f"not {len(text):,}."
            )
        return text


def fields_of(modal: Json) -> list[Field]:
    """The text inputs of a modal, in order (rows of inputs, or labels around one input)."""
    found: list[Field] = []
    for row in modal.get("components") or []:
        if row.get("type") == 18 and isinstance(row.get("component"), dict):
            inputs = [(row.get("label") or "", row["component"])]
        else:
            inputs = [(c.get("label") or "", c) for c in row.get("components") or []]
        for label, component in inputs:
            if component.get("type") != 4 or not component.get("custom_id"):
                continue
            found.append(
                Field(
                    custom_id=component["custom_id"],
                    label=label or component["custom_id"],
                    required=component.get("required", True),
                    default=component.get("value") or "",
                    min_length=component.get("min_length") or 0,
                    max_length=component.get("max_length") or 4000,
                )
            )
    return found


@dataclass
class Form:
    """An open form: the reply that opened it, its fields, what was typed so far."""

    title: str
    fields: list[Field]
    reply: Any  # the fakediscord Reply whose modal this is
    values: dict[str, str] = field(default_factory=dict)
    asked: set[str] = field(default_factory=set)  # fields answered or skipped

    def current(self) -> Field | None:
        return next((f for f in self.fields if f.custom_id not in self.asked), None)

    @property
    def complete(self) -> bool:
        return self.current() is None

    def intro(self) -> str:
        labels = ", ".join(f.label for f in self.fields)
        return (
            f"Form '{self.title}': {labels}. Type each field's text on its own line "
            f"({SKIP} leaves an optional one empty), or several at once as name:value; "
            f"'{CANCEL}' closes the form without sending it."
        )

    def fill_named(self, given: dict[str, str]) -> None:
        """name:value pairs (by id or label); LineError names an unknown field."""
        checked: dict[str, str] = {}
        for name, text in given.items():
            target = next((f for f in self.fields if name.lower() in f.names()), None)
            if target is None:
                known = ", ".join(f.custom_id for f in self.fields)
                raise LineError(f"The form has no field '{name}'. Fields: {known}")
            checked[target.custom_id] = target.check(text)
        self.values.update(checked)
        self.asked.update(checked)
        # Fields given at once: the rest keep what is filled in (the command's own options), and
        # the form goes when nothing required is left empty.
        if all(f.custom_id in self.values or f.default or not f.required for f in self.fields):
            self.asked.update(f.custom_id for f in self.fields)
        else:  # ask only what is still empty
            self.asked.update(f.custom_id for f in self.fields if f.default)

    def fill_line(self, line: str) -> None:
        """One typed line: name:value words (when every word is one naming a field), else the
        current field's text."""
        try:
            words = split_words(line)
        except LineError:
            words = []
        if words and all(w.name and self._known(w.name) for w in words):
            self.fill_named({w.name: w.text for w in words if w.name})
            return
        target = self.current()
        if target is not None:
            self.values[target.custom_id] = target.check(line)
            self.asked.add(target.custom_id)

    def _known(self, name: str) -> bool:
        return any(name.lower() in f.names() for f in self.fields)

    def submitted(self) -> dict[str, str]:
        """What the modal submit carries: typed values, defaults for the rest."""
        return {f.custom_id: self.values.get(f.custom_id, f.default) for f in self.fields}
