#!/usr/bin/env bash
# Unpack Debian's serial OpenBLAS into a folder (no installation, no root) for the PyTorch peer: Debian's
# python3-torch calls the system BLAS, which by default is the slow reference BLAS; the peer would not be a fair one.
# Usage: bench/peer/fetch-openblas.sh [DIR]   (default: bench/peer/.openblas); prints the folder to pass as --openblas.
set -euo pipefail
dir="${1:-$(dirname "$0")/.openblas}"
mkdir -p "$dir"
cd "$dir"
if [[ ! -f usr/lib/x86_64-linux-gnu/openblas-serial/libblas.so.3 ]]; then
  apt-get download libopenblas0-serial >/dev/null 2>&1
  dpkg -x libopenblas0-serial_*.deb .
  rm -f libopenblas0-serial_*.deb
fi
echo "$(pwd)/usr/lib/x86_64-linux-gnu/openblas-serial"
