"""`python -m models.adapt`: the CLI (`models.adapt.cli`), cancellable with SIGTERM."""

import signal

from models.adapt.cli import main, terminate

signal.signal(signal.SIGTERM, terminate)  # `AdaptJob.cancel`: clean up, record "cancelled"
raise SystemExit(main())
