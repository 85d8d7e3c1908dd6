"""File → Clinic setup… (admin): the clinic's details, rooms, devices, and services and prices,
one section per page of one window."""
