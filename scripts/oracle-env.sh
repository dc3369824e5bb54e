#!/usr/bin/env bash
# Create or refresh the GDAL oracle venv (rasterio + numpy, pinned in
# scripts/oracle-requirements.txt) and print its python's path.
#   venv: ${TESSERA_ORACLE_VENV:-<repo>/.venv-oracle}
# Idempotent: when the venv already has exactly these requirements (checked by a
# stamp holding the requirements' hash) it only prints the path.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${TESSERA_ORACLE_VENV:-$repo/.venv-oracle}"
req="$repo/scripts/oracle-requirements.txt"
py="$venv/bin/python"
stamp="$venv/.tessera-oracle-stamp"
want="$(sha256sum "$req" | cut -d' ' -f1)"

if [[ -x "$py" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]] \
    && "$py" -c 'import rasterio, numpy' >/dev/null 2>&1; then
    echo "$py"
    exit 0
fi

{
    if [[ ! -x "$py" ]]; then
        python3 -m venv "$venv"
    fi
    "$py" -m pip install --disable-pip-version-check --quiet --upgrade pip
    "$py" -m pip install --disable-pip-version-check --quiet --only-binary=:all: -r "$req"
    "$py" -c 'import rasterio, numpy; print("oracle: rasterio", rasterio.__version__, "GDAL", rasterio.__gdal_version__, "numpy", numpy.__version__)'
} >&2
echo "$want" >"$stamp"
echo "$py"
