#!/usr/bin/env bash
# Build the TorchSharp Exceiver peer (Release, into /tmp/tsbuild/torchsharp-exceiver), patch libLibTorchSharp.so for
# Debian 12 with ../shared/bench/torchsharp/prepare.sh (relative to the repository root: the shared folder sits
# beside the repository), run it. Arguments go to the peer (its options are listed at the top of Program.cs).
# Build messages and per-step diagnostics go to stderr; stdout is the one result line.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
prepare=$root/../shared/bench/torchsharp/prepare.sh
[[ -f $prepare ]] || { echo "run.sh: $prepare not found (../shared must sit beside the repository root)" >&2; exit 1; }
out=${TSBUILD_OUT:-/tmp/tsbuild/torchsharp-exceiver}
dotnet build "$here/ExceiverTorchSharp.csproj" -c Release -o "$out" -nologo -v q -clp:NoSummary -p:TorchSharpPrepare="$prepare" >&2
bash "$prepare" "$out" >&2   # idempotent; the build's own target has already patched the copy
exec dotnet "$out/ExceiverTorchSharp.dll" "$@"
