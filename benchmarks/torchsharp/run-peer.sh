#!/usr/bin/env bash
# run-peer.sh NAME [peer arguments...]: build the TorchSharp peer NAME (gears or exceiver; Release, into
# /tmp/tsbuild/torchsharp-NAME unless TSBUILD_OUT says otherwise), patch libLibTorchSharp.so for Debian 12 with
# ../shared/bench/torchsharp/prepare.sh (relative to the repository root: the shared folder sits beside the
# repository), run it. The remaining arguments go to the peer (its options are listed at the top of its Program.cs).
# Build messages and per-step diagnostics go to stderr; stdout is the one result line.
set -euo pipefail
case ${1:-} in
  gears) project=GearsTorchSharp ;;
  exceiver) project=ExceiverTorchSharp ;;
  *) echo "run-peer.sh: expected gears or exceiver as the first argument; got '${1:-}'" >&2; exit 2 ;;
esac
name=$1; shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
prepare=$root/../shared/bench/torchsharp/prepare.sh
[[ -f $prepare ]] || { echo "run-peer.sh: $prepare not found (../shared must sit beside the repository root)" >&2; exit 1; }
out=${TSBUILD_OUT:-/tmp/tsbuild/torchsharp-$name}
dotnet build "$here/$name/$project.csproj" -c Release -o "$out" -nologo -v q -clp:NoSummary -p:TorchSharpPrepare="$prepare" >&2
bash "$prepare" "$out" >&2   # idempotent; the build's own target has already patched the copy
exec dotnet "$out/$project.dll" "$@"
