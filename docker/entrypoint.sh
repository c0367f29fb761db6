#!/bin/sh
# Start the dashboard: Streamlit on $PORT (Cloud Run sets it; 8501 otherwise), all interfaces, no browser.
# exec: Streamlit replaces this shell, so it receives the container's SIGTERM and shuts down cleanly.
# Streamlit's upload cap is in decimal MB, the app's limit in MiB: rounded up so that the app, not
# Streamlit, refuses an oversized file with its own message (dashboard/views/upload.py browser_limit_mb).
# Extra arguments (`docker run IMAGE --logger.level=debug`) are passed on to `streamlit run`.
set -eu

exec streamlit run dashboard/app.py \
    --server.port="${PORT:-8501}" \
    --server.address=0.0.0.0 \
    --server.headless=true \
    --server.fileWatcherType=none \
    --server.maxUploadSize="$(( (${SENTIMENT_MAX_UPLOAD_MB:-200} * 1048576 + 999999) / 1000000 ))" \
    --browser.gatherUsageStats=false \
    "$@"
