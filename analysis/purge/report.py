"""What a purge removed, for the command line."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PurgeReport:
    """What a purge removed: raw pages and items, and rows per processed table."""

    dataset: str
    user_ids: list[int]
    tweet_ids: int = 0
    raw_files: int = 0
    raw_pages_dropped: int = 0
    raw_lines_changed: int = 0
    rows_removed: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the command line."""
        rows = ", ".join(f"{n} {t}" for t, n in self.rows_removed.items() if n)
        return (
            f"purged {len(self.user_ids)} account(s) and {self.tweet_ids} tweet(s) from dataset "
            f"{self.dataset!r}: {self.raw_lines_changed} raw page(s) rewritten and "
            f"{self.raw_pages_dropped} dropped in {self.raw_files} file(s); processed rows removed: "
            f"{rows or 'none'}."
        )
