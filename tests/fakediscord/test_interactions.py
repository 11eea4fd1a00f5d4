"""The user's side: slash commands, autocomplete, buttons, selects, modals, follow-ups, posts."""

from __future__ import annotations

import io

import discord
import pytest

from fakediscord import FakeDiscord, FakeGuild
from tests.fakediscord.probe_bot import Counter, ProbeBot


async def test_slash_with_typed_options(fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot) -> None:
    """A subcommand's options arrive typed as synced (int, bool) and the reply is read back."""
    staffer = guild.add_member("staffer")
    reply = await fake.slash(
        "bodycam city", city="Minneapolis", year=2024, verbose=True, user=staffer
    )
    assert reply.type == 4
    assert reply.content == f"user={staffer.id}"
    embed = reply.embeds[0]
    assert (embed["title"], embed["description"]) == ("Minneapolis", "year=2024 verbose=True")
    assert not reply.ephemeral
    assert reply.elapsed is not None and reply.elapsed < 1


async def test_slash_refuses_what_discord_would_not_send(fake: FakeDiscord, bot: ProbeBot) -> None:
    """Unknown commands or options, wrong types and out-of-range values fail in the test."""
    with pytest.raises(LookupError, match="no subcommand 'town'; it has: \\['city'\\]"):
        await fake.slash("bodycam town", city="x")
    with pytest.raises(LookupError, match=r"it has: \['city', 'verbose', 'year'\]"):
        await fake.slash("bodycam city", city="x", state="MN")
    with pytest.raises(TypeError, match="integer"):
        await fake.slash("bodycam city", city="x", year="2024")
    with pytest.raises(ValueError, match=r"2000\.\.2100"):
        await fake.slash("bodycam city", city="x", year=1999)
    with pytest.raises(ValueError, match="required option 'city'"):
        await fake.slash("bodycam city")
    with pytest.raises(LookupError, match="is a group"):
        await fake.slash("bodycam")
    assert not fake.replies


async def test_autocomplete_returns_the_choices(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """The focused option carries the partial text; the bot's choices come back."""
    staffer = guild.add_member("staffer")
    choices = await fake.autocomplete("bodycam city", focused="city", value="Minn", user=staffer)
    assert choices == [
        {"name": "Minneapolis", "value": "Minneapolis"},
        {"name": "Minnetonka", "value": "Minnetonka"},
    ]


async def test_button_click_updates_the_message(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """Clicking a view's button reaches the view, whose type-7 update edits the same message."""
    reply = await fake.slash("counter")
    assert reply.content == "count: 0"
    first = await fake.click(reply, "next")
    assert first.type == 7 and first.message is reply.message
    await fake.click(reply, "next")
    assert reply.content == "count: 2"
    with pytest.raises(LookupError, match=r"it has \['next', 'colour'\]"):
        await fake.click(reply, "previous")


async def test_select_reaches_the_view(fake: FakeDiscord, bot: ProbeBot) -> None:
    """Choosing a select option dispatches the view's select callback with the values."""
    reply = await fake.slash("counter")
    await fake.select(reply, "colour", ["green"])
    assert reply.content == "colour: green"
    with pytest.raises(ValueError, match="offers"):
        await fake.select(reply, "colour", ["blue"])


async def test_modal_opens_and_submits(fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot) -> None:
    """A type-9 callback opens a modal; submitting it runs the modal's on_submit."""
    staffer = guild.add_member("staffer")
    opened = await fake.slash("feedback", user=staffer)
    assert opened.type == 9 and opened.modal is not None
    assert opened.modal["title"] == "Feedback"
    submitted = await fake.submit_modal(opened, values={"note": "more cameras"})
    assert submitted.content == "thanks: more cameras"
    assert submitted.ephemeral
    with pytest.raises(LookupError, match="it has \\['note'\\]"):
        await fake.submit_modal(opened, values={"title": "x"})


async def test_followup_after_thinking_replaces_it(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """defer(thinking=True) then a follow-up: the follow-up becomes the original message."""
    reply = await fake.slash("report")
    assert reply.type == 5
    assert reply.content == "report ready"
    assert reply.message is not None and not reply.message.loading
    assert [m.id for m in reply.followups] == [reply.message.id]
    assert len(fake.messages(guild.channel, interactions=True)) == 1


async def test_time_until_shown_counts_the_wait_after_a_defer(
    fake: FakeDiscord, bot: ProbeBot
) -> None:
    """A defer is not an answer: the user sees one when the follow-up arrives (50 ms later); a
    direct answer and autocomplete choices are seen with the callback itself."""
    deferred = await fake.slash("report")
    assert deferred.elapsed is not None and deferred.until_shown is not None
    assert deferred.until_shown >= deferred.elapsed + 0.05
    direct = await fake.slash("counter")
    assert direct.until_shown == direct.elapsed
    choices = await fake.autocomplete_reply("bodycam city", focused="city", value="Minn")
    assert choices.until_shown == choices.elapsed and choices.choices


async def test_channel_post_records_the_nonce(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """A channel post is stored in order with its nonce; the command's reply is ephemeral."""
    reply = await fake.slash("announce", text="Hearing moved to Tuesday")
    posted = fake.messages(guild.channel)
    assert [m.content for m in posted] == ["Hearing moved to Tuesday"]
    assert posted[0].nonce == str(reply.id) and posted[0].enforce_nonce
    assert reply.ephemeral and reply.content == f"posted {posted[0].id}"


async def test_enforced_nonce_returns_the_original(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """Sending twice with the same enforced nonce creates one message and returns it twice."""

    async def twice(interaction: discord.Interaction) -> None:
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        first = await channel.send("digest", nonce="delivery-42")
        second = await channel.send("digest", nonce="delivery-42")
        await interaction.response.send_message(f"{first.id == second.id}")

    bot.cases["twice"] = twice
    reply = await fake.slash("probe", case="twice")
    assert reply.content == "True"
    assert len(fake.messages(guild.channel)) == 1


async def test_unanswered_interaction_fails_with_a_description(
    fake: FakeDiscord, bot: ProbeBot
) -> None:
    """If the bot never answers visibly, the test gets an AssertionError saying what arrived."""

    async def defer_only(interaction: discord.Interaction) -> None:
        await interaction.response.defer()

    bot.cases["defer-only"] = defer_only
    with pytest.raises(AssertionError, match=r"/probe\): callback type 5 .* 0 follow-up"):
        await fake.slash("probe", case="defer-only", within=0.3)


async def test_guild_commands_are_resolved_first(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """After a guild sync the fake sends the guild command (data.guild_id) and the tree finds it."""
    bot.tree.copy_global_to(guild=discord.Object(guild.id))
    await bot.tree.sync(guild=discord.Object(guild.id))
    assert fake.sync_calls[-1].guild_id == guild.id
    reply = await fake.slash("bodycam city", city="Chicago")
    assert reply.payload["data"]["guild_id"] == str(guild.id)
    guild_ids = {c["name"]: c["id"] for c in fake.synced[guild.id]}
    assert reply.payload["data"]["id"] == guild_ids["bodycam"]
    assert reply.embeds[0]["title"] == "Chicago"


async def test_permissions_come_from_roles(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """Explicit permissions become a role the bot learns about, and the interaction carries them."""
    staffer = guild.add_member("staffer")
    admin = guild.add_member("admin", permissions=discord.Permissions(manage_guild=True))

    async def can_manage(interaction: discord.Interaction) -> None:
        member = interaction.user
        assert isinstance(member, discord.Member)
        checks = (interaction.permissions.manage_guild, member.guild_permissions.manage_guild)
        await interaction.response.send_message(f"{checks}", ephemeral=True)

    bot.cases["can-manage"] = can_manage
    assert (await fake.slash("probe", case="can-manage", user=staffer)).content == "(False, False)"
    assert (await fake.slash("probe", case="can-manage", user=admin)).content == "(True, True)"


async def test_files_arrive_as_attachments(fake: FakeDiscord, bot: ProbeBot) -> None:
    """Multipart bodies (payload_json + files) on callbacks and follow-ups keep the bytes."""

    async def export(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "export", file=discord.File(io.BytesIO(b"a,b\n"), "x.csv")
        )
        await interaction.followup.send("again", file=discord.File(io.BytesIO(b"c"), "y.txt"))

    bot.cases["export"] = export
    reply = await fake.slash("probe", case="export")
    assert reply.message is not None and reply.message.files == {"x.csv": b"a,b\n"}
    assert reply.message.attachments[0]["filename"] == "x.csv"
    followups = await reply.wait_for_followups(1)
    assert followups[0].files == {"y.txt": b"c"}


async def test_ephemeral_messages_belong_to_their_user(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """Nobody but the invoker can click on an ephemeral message."""

    async def private_counter(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("count: 0", view=Counter(), ephemeral=True)

    bot.cases["private"] = private_counter
    owner_reply = await fake.slash("probe", case="private")
    assert owner_reply.ephemeral
    with pytest.raises(ValueError, match="ephemeral"):
        await fake.click(owner_reply, "next", user=guild.add_member("someone-else"))
    await fake.click(owner_reply, "next")
    assert owner_reply.content == "count: 1"
