"""The coordinators' back office: offer, slots, cohorts, calendars, attendance, figures."""
