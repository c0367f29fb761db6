"""`python -m models.adapt`: the CLI (`models.adapt.cli`), cancellable with SIGTERM."""

from models.adapt.cli import cancellable_main

raise SystemExit(cancellable_main())
