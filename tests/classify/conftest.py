"""Small, fast data for the classifier tests; torch on one thread (the suite runs beside others)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# two topics with distinct words: any working classifier separates them after a few steps
TRAIN = [
    ("how do I reshape a numpy array", "numpy"),
    ("numpy broadcasting error with array shapes", "numpy"),
    ("sum a numpy array along axis 0", "numpy"),
    ("make an array of zeros with numpy", "numpy"),
    ("index a numpy array with a boolean mask", "numpy"),
    ("numpy array dtype is float64", "numpy"),
    ("plot a histogram with matplotlib", "plotting"),
    ("add axis labels to my matplotlib plot", "plotting"),
    ("matplotlib legend is missing from the figure", "plotting"),
    ("scatter plot with colours in matplotlib", "plotting"),
    ("save a matplotlib figure as png", "plotting"),
    ("two plots side by side with subplots", "plotting"),
]
TEST = [
    ("numpy array of ones", "numpy"),
    ("matplotlib bar chart title", "plotting"),
]


@pytest.fixture(scope="session", autouse=True)
def one_thread() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def tiny() -> tuple[list[str], list[str]]:
    return [t for t, _ in TRAIN], [y for _, y in TRAIN]
