"""Map the repository's top-level folders onto the ``ipfed.*`` import names.

All metadata lives in pyproject.toml. This file exists only because
pyproject.toml's ``package-dir`` cannot say "every sub-package of folder X
is ipfed.X.*" without listing each one (and silently drops the ones missed).
"""

from setuptools import find_packages, setup

TOP = ("ledger", "exchange", "registry", "detection", "nodes", "sdk")

setup(
    packages=[f"ipfed.{p}" for p in find_packages(include=[*TOP, *(f"{t}.*" for t in TOP)])],
    package_dir={f"ipfed.{t}": t for t in TOP},
)
