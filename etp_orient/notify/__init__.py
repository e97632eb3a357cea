"""The outbox, e-mail and SMS rendering and sending, reminders."""
