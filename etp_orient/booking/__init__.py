"""Individual slots and bookings, cohorts, enrollments, the waiting list, attendance."""
