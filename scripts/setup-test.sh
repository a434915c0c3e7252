#!/usr/bin/env bash
# Installs what the tests need beyond npm: Jupyter (nbconvert + a client) and the tslab TypeScript kernel,
# so test/notebooks.test.ts can execute notebooks/*.ipynb. Debian/Ubuntu: apt; macOS: pip.
set -euo pipefail
cd "$(dirname "$0")/.."

python=/usr/bin/python3
have_jupyter() { "$1" -c 'import nbconvert, jupyter_client, IPython' >/dev/null 2>&1; }

if ! have_jupyter "$python"; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup-test: installing Jupyter with apt (jupyter-nbconvert jupyter-client python3-ipython)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq jupyter-nbconvert jupyter-client python3-ipython >/dev/null
  else
    python="$(command -v python3)"
    if ! have_jupyter "$python"; then
      echo "setup-test: installing Jupyter with pip"
      "$python" -m pip install --quiet --user nbconvert jupyter_client ipython || "$python" -m pip install --quiet --break-system-packages nbconvert jupyter_client ipython
    fi
  fi
fi

# The kernelspec runs "tslab" from PATH; the notebook test puts node_modules/.bin first.
npx --no-install tslab install --python "$python" >/dev/null
echo "setup-test: Jupyter and the tslab kernel are ready ($python)"
