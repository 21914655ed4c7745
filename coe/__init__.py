"""coe: Correction of Error post-mortems with AI involvement, attribution and an audit trail."""

__version__ = "0.1.0"
