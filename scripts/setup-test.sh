#!/usr/bin/env bash
# Installs what the tests need beyond npm: Jupyter (nbconvert + a client) and the tslab TypeScript kernel,
# so test/notebooks.test.ts can execute notebooks/*.ipynb (Debian/Ubuntu: apt; macOS: pip), and a headless
# Chromium for the HTML report test.
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

# Headless Chromium for test/monitor/report-html.test.ts, which renders the HTML profile report. Debian: apt's
# `chromium`; a machine that already has Chromium or Google Chrome (GitHub's Ubuntu and macOS runners do) uses it.
have_chromium() {
  [ -n "${NCP_SILICON_CHROMIUM:-}" ] && return 0
  for b in chromium chromium-browser google-chrome google-chrome-stable; do command -v "$b" >/dev/null 2>&1 && return 0; done
  [ -x "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" ]
}
if ! have_chromium; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup-test: installing Chromium with apt (chromium)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  else
    echo "setup-test: no Chromium or Chrome found and no apt-get: install one, or set NCP_SILICON_CHROMIUM to its path" >&2
  fi
fi

# The notebooks import 'ncp-silicon' by name; tslab's TypeScript resolves bare names the Node10 way (no
# self-reference), so link the package into its own node_modules as an installed dependency would be.
[ -e node_modules/ncp-silicon ] || ln -s .. node_modules/ncp-silicon

# The kernelspec runs "tslab" from PATH; the notebook test puts node_modules/.bin first.
npx --no-install tslab install --python "$python" >/dev/null
echo "setup-test: Jupyter and the tslab kernel are ready ($python)"

# The MLX backend's tests need the MLX addon: built against an installed MLX, or from the MLX source archive beside
# the clone (../shared/mlx) into a cache outside it (about 12 minutes the first time, then reused). Under CI=true a
# missing MLX fails here (scripts/mlx/build-addon.mjs), so the MLX tests always run in CI.
node scripts/mlx/build-addon.mjs
