"""The database: every table, the engine and its URL, and the migrations."""
