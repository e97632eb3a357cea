"""Plain-language pages: the home page, what ETP is, the glossary."""
