"""/admin bodycam set: create or update one city's body-camera record for one component."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from discord import app_commands

from bot.render.bodycam import COMPONENT_LABELS, STATUS_STYLES
from cogs._options import City, DateOption
from cogs.admin._approps import (
    SOURCE_OUTLET_HELP,
    SOURCE_URL_HELP,
    Interaction,
    actor,
    code,
    confirmation,
    given,
    offer,
)
from cogs.admin._base import (
    DATASET_HELP,
    AdminGroup,
    DatasetArg,
    bot_of,
    done,
    named,
    scope_for_write,
    typed_source,
)
from db.changes import validate
from db.errors import InvalidInput, options_named

Effective = app_commands.Transform[dt.date, named(DateOption, "effective")]
STATUSES = {value: style.label for value, style in STATUS_STYLES.items()}
BODYCAM_OPTIONS = {
    "effective_date": "effective",
    "officers_equipped": "officers",
    "notes": "note",
    "sources": "source",
}
_PLACE_SUFFIX = re.compile(r"^(.*\S)\s*,\s*([A-Za-z]{2})$")


def split_place(city: str, state: str) -> str:
    """'Minneapolis, MN' (as the city list offers it) is Minneapolis when the state is MN."""
    found = _PLACE_SUFFIX.match(city)
    if found is None:
        return city
    if found[2].upper() != state.strip().upper():
        raise InvalidInput.one(
            "city",
            f"'{found[1]}, {found[2].upper()}' is in {found[2].upper()}, but state says "
            f"'{state.strip()}': give the city without its state, or the matching state",
        )
    return found[1]


def record_name(values: dict[str, Any]) -> str:
    place = "Nationwide" if values["state"] == "US" else f"{values['city']}, {values['state']}"
    return f"{place} · {values['component']}"


class BodycamAdmin(AdminGroup, name="bodycam", description="Edit body-camera records"):
    @app_commands.command(name="set", description="Set a city's body-camera status")
    @app_commands.describe(
        city="e.g. Minneapolis",
        state="e.g. MN (US: nationwide)",
        component="DHS component",
        status="Camera status",
        effective="Date it took effect",
        officers="Officers equipped",
        note="Notes",
        source=SOURCE_URL_HELP,
        outlet=SOURCE_OUTLET_HELP,
        operation="Operation name",
        dataset=DATASET_HELP,
    )
    @app_commands.autocomplete(component=offer(COMPONENT_LABELS), status=offer(STATUSES))
    async def set_(
        self,
        interaction: Interaction,
        city: City,
        state: str,
        component: str,
        status: str,
        effective: Effective | None = None,
        officers: app_commands.Range[int, 0, 1_000_000] | None = None,
        note: str | None = None,
        source: str | None = None,
        outlet: str | None = None,
        operation: str | None = None,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        database = bot_of(interaction).database
        today = database.today()
        ref = typed_source(source, outlet)
        values = {
            "city": split_place(city, state),
            "state": state.strip().upper(),
            "component": code(component, COMPONENT_LABELS),
            "status": code(status),
            **given(effective_date=effective, officers_equipped=officers, notes=note),
            **given(operation=operation),
        }
        with options_named(BODYCAM_OPTIONS):
            key = validate("bodycam", {"as_of": today, **values}).key
            async with database.writer(scope, actor(interaction)) as writer:
                change = await writer.save(
                    "bodycam",
                    values,
                    key=key,
                    also={"as_of": today},
                    source=ref,
                    identity=("city", "state", "component"),
                )
        await done(interaction, confirmation(change, record_name(change.after), scope))
