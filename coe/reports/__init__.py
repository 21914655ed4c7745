"""PDF documents: the COE report (and later the governance trend report)."""
