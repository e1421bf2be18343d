"""goldenrule: a private ledger of who you write with and who helped whom."""

__version__ = "0.1.0"
