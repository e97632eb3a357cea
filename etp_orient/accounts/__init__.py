"""Staff accounts, memberships, login and permissions."""
