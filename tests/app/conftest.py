"""What every AppTest test shares: the app's path, a render timeout, and empty Streamlit caches."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
TIMEOUT = 30


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """Each test starts with empty Streamlit caches, so no test sees another's database."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
