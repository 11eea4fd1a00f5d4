"""The offline console (`python -m bot console`): the real bot answering typed commands through the
fake Discord in-process.

- app: the console itself (the bot, the fake and a guild; stdin lines in, answers out);
- parse: typed lines → commands, checked the way Discord's client checks them;
- render: what the bot sent → plain text.
"""
