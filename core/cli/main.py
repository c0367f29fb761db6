"""`sentiment`: one command for every entry point (`sentiment ingest | predict | aspects | adapt | crawl |
train | bench | serve`), installed by `pip install -e .` (`make` does it).

Each subcommand hands the rest of the command line, untouched, to the `main()` the `python -m` form
runs, so `sentiment predict ARGS` behaves exactly like `python -m core.predict ARGS` (its `--help`
too). The targets outside `core/` (models, scraping, bench) are named here as strings and imported
by name only when chosen: `core/` stays free of imports of the packages built on top of it
(tests/ops/test_layers.py allows those names in this table and nowhere else in `core/`).
`serve` replaces this process with `streamlit run dashboard/app.py`, run from the project folder
so Streamlit finds `.streamlit/config.toml`; its arguments are passed through.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.settings import REPO_ROOT

EXIT_USAGE = 2


@dataclass(frozen=True)
class Command:
    """A subcommand: the function that runs it, by module and name, and one line of help."""

    module: str
    function: str
    help: str
    prefix: tuple[str, ...] = ()  # arguments put before the user's (a sub-subcommand of the target)


COMMANDS: dict[str, Command] = {
    "ingest": Command(
        "core.cli.ingest", "main", "import a CSV/XLSX of reviews into the store, or list products"
    ),
    "predict": Command("core.cli.predict", "main", "score texts, or one column of a CSV"),
    "aspects": Command("core.cli.aspects", "main", "a product's aspects and how reviews feel about each"),
    "adapt": Command("models.adapt.cli", "cancellable_main", "adapt the model to your rated reviews"),
    "crawl": Command("scraping.__main__", "main", "crawl product pages for reviews", ("crawl",)),
    "train": Command("models.train", "main", "retrain the shipped model (--dry-run: one tiny batch)"),
    "bench": Command("bench.__main__", "main", "throughput vs VADER, load time, memory, accuracy"),
}
SERVE_HELP = "start the dashboard (streamlit run dashboard/app.py; extra arguments go to Streamlit)"


def usage() -> str:
    """The overview `sentiment --help` prints."""
    width = max(len(name) for name in [*COMMANDS, "serve"])
    lines = [f"  {name:<{width}}  {command.help}" for name, command in COMMANDS.items()]
    lines.append(f"  {'serve':<{width}}  {SERVE_HELP}")
    return "\n".join(
        [
            "usage: sentiment COMMAND [ARGS ...]",
            "",
            "commands:",
            *lines,
            "",
            "`sentiment COMMAND --help` shows a command's own options.",
        ]
    )


def target(command: Command) -> Callable[[list[str]], int]:
    """The function a subcommand runs, imported now (the torch-heavy ones load only when chosen)."""
    module = importlib.import_module(command.module)
    function: Callable[[list[str]], int] = getattr(module, command.function)
    return function


def serve(args: Sequence[str]) -> int:
    """Replace this process with the Streamlit server (signals then reach Streamlit itself)."""
    argv = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", *args]
    os.chdir(REPO_ROOT)
    os.execv(sys.executable, argv)
    return 0  # not reached: execv only returns by raising


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sentiment` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if args else sys.stderr)
        return 0 if args else EXIT_USAGE
    name, rest = args[0], args[1:]
    if name == "serve":
        return serve(rest)
    command = COMMANDS.get(name)
    if command is None:
        print(f"sentiment: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return EXIT_USAGE
    try:
        run = target(command)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] != command.module.split(".")[0]:
            raise  # a missing third-party package is a real error, shown in full
        print(
            f"sentiment {name}: {command.module} is not installed here (a source checkout has it).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    sys.argv[0] = f"sentiment {name}"  # usage lines of parsers that take their name from argv
    return int(run([*command.prefix, *rest]) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
