"""Import what a cold start loads, so Python writes bytecode for exactly those modules.

The builder stage installs with `pip install --no-compile` and then runs this script: the image carries
compiled bytecode only for the modules the dashboard and a crawl import at start-up, instead of for every
module of every package (about a quarter of the venv), and starts as fast as a fully compiled venv.
The script doubles as a smoke test of the slimmed venv (docker/slim_venv.sh): every declared dependency is
installed, every module imports, and a TorchScript round trip checks the stripped libtorch.
"""

from __future__ import annotations

import importlib
import io
import sys

# Third-party modules only: the app's own code is not in the builder stage.
MODULES = (
    "torch",
    "numpy",
    "pandas",
    "pyarrow",
    "plotly.express",
    "plotly.graph_objects",
    "streamlit",
    "streamlit.web.bootstrap",
    "sqlalchemy",
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.dialects.sqlite",
    "psycopg",
    "charset_normalizer",
    "openpyxl",
    "xlsxwriter",
    "dateutil.parser",
    "dotenv",
    "yaml",
    "psutil",
    "scrapy",
    "scrapy.crawler",
    "extruct",
)


def torchscript_round_trip() -> None:
    """Script, save, reload and run a tiny module: fails if libtorch lost something it needs."""
    import torch

    module = torch.jit.script(torch.nn.Linear(3, 2))
    buffer = io.BytesIO()
    torch.jit.save(module, buffer)
    buffer.seek(0)
    loaded = torch.jit.load(buffer)
    sample = torch.ones(1, 3)
    with torch.no_grad():
        if not torch.allclose(loaded(sample), module(sample)):
            raise RuntimeError("TorchScript round trip changed the output")


def missing_requirements() -> list[str]:
    """Declared dependencies that are not installed (`pip check` without pip, which the slim step removes)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    distributions = list(metadata.distributions())
    installed = {canonicalize_name(dist.metadata["Name"]) for dist in distributions}
    missing = []
    for dist in distributions:
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue  # an optional extra, or another platform's dependency
            if canonicalize_name(requirement.name) not in installed:
                missing.append(f"{dist.metadata['Name']} requires {requirement.name}")
    return missing


def main() -> int:
    """Check dependencies, import every module in MODULES, check TorchScript; non-zero exit on failure."""
    if sys.flags.dont_write_bytecode:
        print("PYTHONDONTWRITEBYTECODE is set, so no bytecode would be written", file=sys.stderr)
        return 1
    missing = missing_requirements()
    if missing:
        print("\n".join(missing), file=sys.stderr)
        return 1
    for name in MODULES:
        importlib.import_module(name)
    torchscript_round_trip()
    print(f"imported {len(sys.modules)} modules; TorchScript round trip ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
