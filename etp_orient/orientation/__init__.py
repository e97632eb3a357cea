"""Matching and ranking, patient and professional flows, referrals, the orientation log."""
