# syntax=docker/dockerfile:1
# The review-sentiment dashboard as a CPU-only image for Cloud Run or any container host.
#   docker build -t review-sentiment .
#   docker run --rm --init -p 8501:8501 -v sentiment-data:/data review-sentiment
# Size and how it was estimated: README, "Deploy".

# One pinned base for both stages, so the venv's interpreter is the runtime's interpreter.
ARG PYTHON_IMAGE=python:3.11.14-slim-trixie

# ---------------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

# binutils provides `strip` for docker/slim_venv.sh. Not version-pinned: the base tag fixes the Debian
# release, and Debian replaces exact package versions with security updates, so a pin breaks rebuilds.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends binutils \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv

# torch from PyTorch's CPU-only index: PyPI's Linux wheel of the same version pulls several GB of CUDA
# libraries. --no-deps because torch's own dependencies are pinned in requirements.txt and come from PyPI.
ARG TORCH_VERSION=2.13.0
RUN pip install --no-cache-dir --no-compile --no-deps \
        --index-url https://download.pytorch.org/whl/cpu "torch==${TORCH_VERSION}"

# The runtime pins (requirements-dev.txt, the test and lint tools, stays out of the image). torch is already
# satisfied by the CPU wheel above; `pip check` fails the build if a pin conflicts with it.
# --no-compile: bytecode is written later only for what start-up imports (docker/warm_venv.py).
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --no-compile -r /tmp/requirements.txt \
    && pip check

COPY docker/slim_venv.sh /tmp/slim_venv.sh
RUN sh /tmp/slim_venv.sh /opt/venv

# ---------------------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# PORT: Cloud Run sets it; 8501 (Streamlit's default) everywhere else.
# SENTIMENT_DATA_DIR: the SQLite store and adapted model versions live on the /data volume.
# PYTHONPATH: the packages are imported from the copied source in /app (what `pip install -e .` does on a
# checkout), so the running code is the one in /app and nothing is installed twice.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PORT=8501 \
    SENTIMENT_DATA_DIR=/data \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
    && mkdir -p /data \
    && chown app:app /data

COPY --from=builder /opt/venv /opt/venv

# Write bytecode for the modules a cold start imports (also a smoke test of the slimmed venv); only after
# that is PYTHONDONTWRITEBYTECODE set, so the running app never writes into the image.
COPY docker/warm_venv.py /tmp/warm_venv.py
RUN python /tmp/warm_venv.py && rm /tmp/warm_venv.py
ENV PYTHONDONTWRITEBYTECODE=1

# The app: code and the shipped base model; .dockerignore keeps out corpora, tests, data and caches.
# Owned by root and read-only for the app user; only /data is writable.
WORKDIR /app
COPY .streamlit/ .streamlit/
COPY core/ core/
COPY models/ models/
COPY scraping/ scraping/
COPY dashboard/ dashboard/
COPY --chmod=0755 docker/entrypoint.sh docker/entrypoint.sh

USER app
VOLUME ["/data"]
EXPOSE 8501

# Streamlit's own liveness endpoint; urllib because the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8501') + '/_stcore/health', timeout=4)"

ENTRYPOINT ["/app/docker/entrypoint.sh"]
