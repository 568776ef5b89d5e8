"""The renewal forecast and revenue retention over the book (docs/domain.md §14)."""
