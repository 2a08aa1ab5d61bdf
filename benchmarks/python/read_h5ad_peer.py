"""Peer timing for H5adReadBenchmarks: Python anndata reading the same file.

Usage: python3 benchmarks/python/read_h5ad_peer.py [path]
Prints the median wall time (ms) of anndata.read_h5ad (whole file) and of reading X only.
"""
import statistics
import sys
import time

import anndata
import h5py

try:
    from anndata.experimental import read_elem
except ImportError:  # anndata < 0.8
    from anndata._io.specs import read_elem

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/perturbation/norman2019_mcfaline2023_devel.h5ad"


def timed(fn, repeats=15):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def read_x():
    with h5py.File(path, "r") as f:
        return read_elem(f["X"])


print(f"anndata {anndata.__version__}, h5py {h5py.__version__}")
print(f"read_h5ad (whole file): {timed(lambda: anndata.read_h5ad(path)):.2f} ms")
print(f"read X only: {timed(read_x):.2f} ms")
