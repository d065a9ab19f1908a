"""What a reader sees: plots, explorers, tables and the book's formatting helpers."""
