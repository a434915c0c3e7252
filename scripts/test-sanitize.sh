#!/usr/bin/env bash
# npm run test:sanitize — the native, parity, models, io and train tests against an AddressSanitizer + UBSan build
# of the addon. The build goes to build-sanitize/ (never build/): a shadow directory whose binding.gyp and native/
# are links to the repo's, so node-gyp's fixed output folder lands there. Node itself is not instrumented, so the
# sanitizer runtime is preloaded, and the tests load the sanitized addon through NCP_SILICON_ADDON_PATH
# (src/backend/load.ts). Every report (ASan or UBSan, in vitest's forked workers or in CLI processes the tests
# start) is written to a log file under build-sanitize/logs; the run fails when any exists, whatever the tests said.
#
# Usage: npm run test:sanitize [-- <vitest files or filters>]   (default: the SANITIZE_TESTS list below)
# Linux with GCC or Clang is supported and runs in CI; on macOS the runtime is inserted with DYLD_INSERT_LIBRARIES
# (Apple clang), which works for a Node installed outside the system folders (SIP strips it otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="$root/build-sanitize"
logs="$out/logs"

# Everything that runs native code, except the HTML report test (it drives Chromium, which must not get the
# preloaded runtime) and the ONNX, demo and notebook tests (no addon code of their own, and slow).
SANITIZE_TESTS=(test/native test/parity test/models test/monitor src/io src/train src/wiring src/cli test/cli-info.test.ts)
SANITIZE_EXCLUDE=(--exclude test/monitor/report-html.test.ts)
[ "$#" -gt 0 ] && SANITIZE_TESTS=("$@")

# float-cast-overflow: a float → int conversion out of range is undefined behaviour, and GCC leaves it out of
# -fsanitize=undefined. Reports recover (every one is logged, once per source location) and fail the run below.
sanitize="-fsanitize=address,undefined,float-cast-overflow"
export CXXFLAGS="$sanitize -fno-omit-frame-pointer -g -O1"
export LDFLAGS="$sanitize"

os="$(uname -s)"
cxx="${CXX:-c++}"
case "$os" in
  Linux)
    if "$cxx" --version 2>/dev/null | grep -qi clang; then
      runtime="$("$cxx" -print-file-name="libclang_rt.asan-$(uname -m).so")"
    else
      runtime="$("$cxx" -print-file-name=libasan.so):$("$cxx" -print-file-name=libubsan.so)"
    fi
    preload_var=LD_PRELOAD
    ;;
  Darwin)
    # Apple clang's ASan runtime (it carries UBSan's handlers too); not run in CI, so best effort.
    runtime="$(clang -print-resource-dir)/lib/darwin/libclang_rt.asan_osx_dynamic.dylib"
    preload_var=DYLD_INSERT_LIBRARIES
    ;;
  *)
    echo "test:sanitize: not supported on $os (Linux and macOS only); skipped" >&2
    exit 0
    ;;
esac
for lib in ${runtime//:/ }; do
  if [ ! -f "$lib" ]; then
    echo "test:sanitize: the sanitizer runtime $lib was not found (install the compiler's sanitizer libraries, e.g. Debian: apt-get install libasan8 libubsan1)" >&2
    exit 1
  fi
done

# node-gyp: npm's own copy when run through npm (npm_config_node_gyp), else one on PATH.
if [ -n "${npm_config_node_gyp:-}" ]; then gyp=(node "$npm_config_node_gyp"); else gyp=(npx --no-install node-gyp); fi

mkdir -p "$out"
ln -sfn ../binding.gyp "$out/binding.gyp"
ln -sfn ../native "$out/native"
stamp="$out/flags.txt"
addon="$out/build/Release/ncp_silicon.node"
start=$(date +%s)
# make does not track flags: a change of flags (or a first build) configures from scratch, otherwise only
# the changed sources are rebuilt.
if [ ! -f "$addon" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$CXXFLAGS" ]; then
  (cd "$out" && "${gyp[@]}" rebuild -j 2)
  echo "$CXXFLAGS" > "$stamp"
else
  (cd "$out" && "${gyp[@]}" build -j 2)
fi
echo "test:sanitize: built $addon in $(( $(date +%s) - start )) s"

# Some tests start the CLI from dist/ (a fresh clone gets it from npm ci's prepare step).
[ -f dist/index.js ] || npm run build

rm -rf "$logs"
mkdir -p "$logs"
export NCP_SILICON_ADDON_PATH="$addon"
# Tests that compare measured speeds with uninstrumented code skip that comparison (test/monitor/calibrate.test.ts).
export NCP_SILICON_SANITIZED=1
# detect_leaks=0: Node is not built for LeakSanitizer and keeps its heap at exit. Reports go to files (one per
# process, suffixed with its pid), which catches those of workers whose output vitest would not show.
export ASAN_OPTIONS="detect_leaks=0:log_path=$logs/asan:handle_segv=1:detect_stack_use_after_return=0:allow_user_segv_handler=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=0:log_path=$logs/ubsan"
export "$preload_var=$runtime"

# The addon must load under the preloaded runtime (else every test would fail for that one reason).
node -e "require(process.env.NCP_SILICON_ADDON_PATH)" || { echo "test:sanitize: the sanitized addon does not load" >&2; exit 1; }

# The instrumented addon runs several times slower: test timeouts become hang guards (no test checks speed).
start=$(date +%s)
output="$out/vitest-output.txt"
set +e
npx --no-install vitest run --reporter=default --testTimeout=600000 --hookTimeout=600000 \
  "${SANITIZE_EXCLUDE[@]}" "${SANITIZE_TESTS[@]}" 2>&1 | tee "$output"
status=${PIPESTATUS[0]}
set -e
unset "$preload_var"
echo "test:sanitize: tests took $(( $(date +%s) - start )) s (vitest exit status $status)"

# Reports land in the log files or, when a runtime prints to stderr regardless (GCC's UBSan next to ASan does),
# in vitest's output; either fails the run.
pattern='runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer|SUMMARY: (Address|UndefinedBehavior)Sanitizer'
reports=$(find "$logs" -type f -size +0c | sort)
printed=$(grep -aE "$pattern" "$output" | sort | uniq -c || true)
if [ -n "$reports" ] || [ -n "$printed" ]; then
  echo "test:sanitize: FAIL, sanitizer reports:" >&2
  [ -n "$printed" ] && echo "$printed" >&2
  for f in $reports; do
    echo "==== $f" >&2
    cat "$f" >&2
  done
  exit 1
fi
echo "test:sanitize: no ASan/UBSan reports"
exit "$status"
