"""Messages to patients: the outbox, sending, reminders and their calendar invitations."""
