"""Makes the small HDF5 fixtures used by Hdf5FeatureTests (run once; outputs are checked in).

python3 make_fixtures.py   (h5py 3.7 / HDF5 1.10, Debian bookworm)
Every dataset holds arange-based values so the tests can recompute them independently.
"""
import h5py
import numpy as np


def fill(f):
    g = f.create_group("dense_group", track_order=True)
    for i in range(40):  # more than max_compact (8) links -> dense link storage (fractal heap + v2 B-tree)
        g.create_dataset(f"d{i:02d}", data=np.arange(3, dtype="i4") + i)
    for i in range(30):  # more than max_compact attributes -> dense attribute storage
        g.attrs[f"a{i:02d}"] = i * 10
    g.attrs["text"] = "dense ünïcode"
    base = np.arange(1000 * 6, dtype="<f8").reshape(1000, 6)
    f.create_dataset("fixed_array", data=base, chunks=(64, 6), compression="gzip", shuffle=True)
    f.create_dataset("fletcher", data=base, chunks=(100, 6), fletcher32=True)
    f.create_dataset("ext_array", data=base, chunks=(50, 6), maxshape=(None, 6), compression="gzip")
    f.create_dataset("btree2", data=base, chunks=(50, 4), maxshape=(None, None), compression="gzip")
    f.create_dataset("implicit", data=base, chunks=(100, 6))  # no filters, fixed size, early allocation
    f["implicit_early"] = base[:10]
    f.create_dataset("single", data=base[:7], chunks=(7, 6), compression="gzip")
    f.create_dataset("big_endian_i2", data=np.arange(-50, 50, dtype=">i2"))
    f.create_dataset("u8", data=np.arange(20, dtype="<u8") * 3)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    space = h5py.h5s.create_simple((5,))
    dset = h5py.h5d.create(f.id, b"compact", h5py.h5t.STD_I8LE, space, dcpl=dcpl)
    dset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(5, dtype="i1"))
    f.create_dataset("fixed_str", data=np.array([b"alpha", b"be", b"c"], dtype="S5"))
    f.create_dataset("vlen_str", data=np.array(["x", "yy", "zzz"], dtype=object), dtype=h5py.string_dtype())
    rec = np.array([(1, 2.5, b"a"), (2, 3.5, b"bb")], dtype=[("i", "<i4"), ("f", "<f8"), ("s", "S2")])
    f.create_dataset("compound", data=rec)
    f.create_dataset("bools", data=np.array([True, False, True]))
    f.create_dataset("scalar", data=7.5)
    f.create_dataset("null", data=h5py.Empty("f4"))


with h5py.File("latest.h5", "w", libver="latest") as f:
    fill(f)
with h5py.File("earliest.h5", "w", libver="earliest") as f:
    fill(f)
