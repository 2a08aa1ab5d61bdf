#!/usr/bin/env bash
# Build, patch and run the TorchSharp exceiver peer: see ../run-peer.sh. Arguments go to the peer.
exec bash "$(dirname "${BASH_SOURCE[0]}")/../run-peer.sh" exceiver "$@"
