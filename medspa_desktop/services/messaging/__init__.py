"""Messages to patients: consent to be contacted, the outbox, sending, reminders and their
calendar invitations, confirmations, recall lists (patients due) and waitlist offers."""
