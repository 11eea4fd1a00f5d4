"""Records → Discord embeds (and plain text), always inside Discord's limits.

Pure functions: no database, no network. Cogs, the console, channel posts and digests all render
through here, so a record looks the same wherever it appears.
"""

from bot.render.meta import HelpEntry, about_embed, help_embeds

__all__ = ["HelpEntry", "about_embed", "help_embeds"]
