#!/bin/sh
# Remove from a virtual environment what a running dashboard never loads, in place.
#
# The Dockerfile's builder stage runs it on /opt/venv; the README's size estimate runs the same script on a
# local venv installed from requirements.txt, so the measured figure is the image's figure.
# Usage: docker/slim_venv.sh VENV_DIR
set -eu

venv="${1:?usage: slim_venv.sh VENV_DIR}"
site="$(echo "$venv"/lib/python3.*/site-packages)"
test -d "$site" || { echo "no site-packages under $venv" >&2; exit 1; }

# Test suites shipped inside wheels (pandas/tests alone is 35 MB). Only the plural `tests`: Twisted keeps
# importable helpers in folders named `test`, and torch/testing is imported by `import torch`.
find "$site" -type d -name tests -prune -exec rm -rf {} +

# PyTorch: C++ headers, CMake files, its C++ test suite and test binaries, protoc. `import torch` needs
# torch/bin/torch_shm_manager, which stays.
rm -rf "$site/torch/include" "$site/torch/share" "$site/torch/test"
find "$site/torch/bin" -maxdepth 1 -type f \( -name 'test_*' -o -name '*Test' -o -name 'protoc*' \) -delete

# The symbol table of libtorch_cpu.so is ~85 MB and only helps a debugger; dynamic symbols stay. Only torch's
# own libraries: the auditwheel-patched libraries of other wheels are left alone (strip can corrupt them).
strip --strip-unneeded "$site"/torch/lib/*.so

# Jupyter front-end bundles: a Streamlit server never serves them (pydeck's package itself stays importable).
rm -rf "$site/pydeck/nbextension/static" "$site/plotly/labextension"

# Build-time only files: C/C++ headers, Cython sources, type stubs.
find "$site" -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.pyx' -o -name '*.pxd' -o -name '*.pyi' \) -delete

# The installer itself: the image never installs anything at run time. (setuptools stays: torch declares it.)
"$venv/bin/python" -m pip uninstall --yes --quiet pip
