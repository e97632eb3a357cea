"""The offer: structures, sites, conditions, programmes, workshops; offer import/export."""
