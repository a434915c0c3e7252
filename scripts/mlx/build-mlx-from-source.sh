#!/usr/bin/env bash
# Builds MLX (CPU device only) from a source archive into a cache outside the clone, keyed by the archive's
# sha256, and prints the install prefix (for CMAKE_PREFIX_PATH) as its last line. A second run with the same
# archive only prints the prefix. Used where no MLX is installed (Linux: MLX has no apt or npm package).
#
#   NCP_SILICON_MLX_SOURCE=path/to/mlx-0.32.1.tar.gz scripts/mlx/build-mlx-from-source.sh
#
# Cache: $NCP_SILICON_CACHE, else $XDG_CACHE_HOME/ncp-silicon, else ~/.cache/ncp-silicon.
# Offline: MLX's CMake would download nlohmann-json, fmt and gguflib; Debian's packages stand in for the
# first two and GGUF support is left out (the addon does not read GGUF). About 12 minutes on 2 cores.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
archive="${NCP_SILICON_MLX_SOURCE:-$here/../../../shared/mlx/mlx-0.32.1.tar.gz}"
[ -f "$archive" ] || { echo "build-mlx: no MLX source archive at $archive (set NCP_SILICON_MLX_SOURCE)" >&2; exit 2; }
archive="$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")"

hash="$(sha256sum "$archive" | cut -c1-16)"
cache="${NCP_SILICON_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ncp-silicon}/mlx/$hash"
prefix="$cache/install"
if [ -f "$cache/complete" ] && [ -d "$prefix/share/cmake/MLX" ]; then
  echo "$prefix"
  exit 0
fi

log() { echo "build-mlx: $*" >&2; }

# Build dependencies (Debian/Ubuntu: installed with apt when missing). Elsewhere they must already be installed.
if command -v dpkg-query >/dev/null 2>&1; then
  need_pkgs=()
  for pkg in cmake g++ libopenblas-dev liblapacke-dev nlohmann-json3-dev libfmt-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_pkgs+=("$pkg")
  done
  if [ "${#need_pkgs[@]}" -gt 0 ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    log "installing ${need_pkgs[*]} with apt"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_pkgs[@]}" >&2
  fi
fi

rm -rf "$cache.partial"
mkdir -p "$cache.partial/src" "$cache.partial/json/single_include"
log "unpacking $(basename "$archive") into $cache.partial"
tar -xzf "$archive" -C "$cache.partial/src" --strip-components=1
# MLX's CMake looks for nlohmann's single_include layout; Debian's headers are that layout.
ln -s /usr/include/nlohmann "$cache.partial/json/single_include/nlohmann"

jobs="${NCP_SILICON_MLX_JOBS:-$(nproc)}"
log "configuring (CPU device only, Release, static)"
cmake -S "$cache.partial/src" -B "$cache.partial/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF \
  -DMLX_BUILD_METAL=OFF -DMLX_BUILD_CUDA=OFF -DMLX_BUILD_CPU=ON -DMLX_BUILD_TESTS=OFF -DMLX_BUILD_EXAMPLES=OFF \
  -DMLX_BUILD_BENCHMARKS=OFF -DMLX_BUILD_PYTHON_BINDINGS=OFF -DMLX_USE_CCACHE=OFF -DMLX_BUILD_GGUF=OFF \
  -DUSE_SYSTEM_FMT=ON -DFETCHCONTENT_FULLY_DISCONNECTED=ON \
  -DFETCHCONTENT_SOURCE_DIR_JSON="$cache.partial/json" >"$cache.partial/configure.log" 2>&1 \
  || { log "configure failed; see $cache.partial/configure.log"; tail -20 "$cache.partial/configure.log" >&2; exit 1; }
log "building with $jobs jobs (about 12 minutes on 2 cores)"
start=$SECONDS
cmake --build "$cache.partial/build" -j "$jobs" >"$cache.partial/build.log" 2>&1 \
  || { log "build failed; see $cache.partial/build.log"; tail -30 "$cache.partial/build.log" >&2; exit 1; }
log "built in $((SECONDS - start)) s"

# Installed straight into the final prefix (MLX's CMake config files record absolute paths); the build tree
# is dropped afterwards, so the cache holds headers, libmlx.a and the CMake package only.
rm -rf "$cache"
mkdir -p "$cache"
cmake --install "$cache.partial/build" --prefix "$prefix" >"$cache/install.log" 2>&1
sha256sum "$archive" >"$cache/archive.sha256"
rm -rf "$cache.partial"
touch "$cache/complete"
echo "$prefix"
