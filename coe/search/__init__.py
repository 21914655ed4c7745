"""Full-text search (SQLite FTS5, PostgreSQL text search) and similar earlier incidents."""
