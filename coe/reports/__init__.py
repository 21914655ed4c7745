"""PDF documents: the COE report and the governance trend report."""
