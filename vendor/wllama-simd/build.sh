#!/bin/bash
# Rebuilds the engine files in this folder: wllama's C++ glue (from the installed @wllama/wllama) over the
# llama.cpp source node-llama-cpp ships, compiled with ggml's wasm SIMD kernels. See README.md here.
#   ./build.sh          -> wllama.wasm + wllama.glue.js            (single thread)
#   VARIANT=mt ./build.sh -> wllama-mt.wasm + wllama-mt.glue.js + wllama-mt.worker.js (pthreads)
# Needs: apt-get install -y emscripten (3.1.6 in Debian bookworm), cmake, make, git.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VARIANT="${VARIANT:-st}"
WORK="${WLLAMA_SIMD_WORK:-$HOME/.cache/hearth/wllama-simd}"
WLLAMA_PKG="$ROOT/node_modules/@wllama/wllama"
COMMIT="$(cat "$HERE/LLAMA_COMMIT")"
# Where `hearth runner build` and the benches unpack node-llama-cpp's llama.cpp bundle (server/runtime/llama-server-build.ts).
LLAMA_SRC="${LLAMA_SRC:-${HEARTH_CACHE:-$HOME/.cache/hearth}/llama.cpp-${COMMIT:0:7}}"
# Debian's emscripten runs its acorn optimizer with the node on PATH, which does not look in Debian's module folder.
export NODE_PATH=/usr/share/nodejs

[ -d "$LLAMA_SRC/.git" ] || { echo "llama.cpp source missing: run 'npm run bench:server' once (it unpacks node-llama-cpp's bundle)" >&2; exit 1; }
mkdir -p "$WORK/src"
[ -d "$WORK/src/llama.cpp" ] || git clone -q --shared "$LLAMA_SRC" "$WORK/src/llama.cpp"
git -C "$WORK/src/llama.cpp" checkout -q "$COMMIT"
rm -rf "$WORK/src/cpp" && cp -a "$WLLAMA_PKG/cpp" "$WORK/src/cpp"   # -a keeps mtimes: a rerun only relinks
cp "$WLLAMA_PKG/CMakeLists.txt" "$WORK/src/CMakeLists.txt"
patch -s -d "$WORK/src" -p1 < "$HERE/wllama-cmake.patch"

case "$VARIANT" in
  st) MT=OFF; OUT=wllama ;;
  mt) MT=ON; OUT=wllama-mt ;;
  *) echo "VARIANT must be st or mt" >&2; exit 1 ;;
esac
B="$WORK/build-$VARIANT"
mkdir -p "$B"
# EMSCRIPTEN_SYSTEM_PROCESSOR=wasm32 is the switch that makes ggml compile its wasm SIMD kernels.
( cd "$B" && emcmake cmake "$WORK/src" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_STANDARD=17 \
    -DEMSCRIPTEN_SYSTEM_PROCESSOR=wasm32 -DWLLAMA_STANDIN_DIR="$HERE/standin" -DWLLAMA_MT=$MT \
    -DGGML_WEBGPU=OFF -DGGML_OPENMP=OFF -DLLAMA_WASM_MEM64=OFF >/dev/null )
( cd "$B" && make -j"$(nproc)" wllama )
if [ "$MT" = OFF ]; then
  node "$HERE/make-glue.mjs" "$B/wllama.js" "$HERE/$OUT.glue.js"
else
  node "$HERE/make-glue.mjs" "$B/wllama.js" "$HERE/$OUT.glue.js" --pthreads
  cp "$B/wllama.worker.js" "$HERE/$OUT.worker.js"
fi
cp "$B/wllama.wasm" "$HERE/$OUT.wasm"
( cd "$HERE" && sha256sum wllama*.wasm wllama*.js > SHA256SUMS )
echo "built $OUT; now run: npx vitest run tests/unit/wllama-build.test.ts"
