"""Writes the .npy files the NpyFile tests read, with NumPy's own numpy.save (Debian's python3-numpy).

Run from the repository root: /usr/bin/python3 tools/npy/make_npy_goldens.py
The tests check that NpyFile reads each one and that NpyFile.Write produces the same bytes for the float32 ones.
"""
import numpy as np

OUT = "tests/SimdCheckpoint.Tests/Goldens/npy/"

# Float32, C order: what the reader accepts and the writer must reproduce byte for byte.
np.save(OUT + "matrix_3x4.npy", np.arange(12, dtype=np.float32).reshape(3, 4) / np.float32(7))
np.save(OUT + "vector_5.npy", np.array([0.0, -0.0, np.inf, -np.inf, 1e-45], dtype=np.float32))
np.save(OUT + "scalar.npy", np.array(2.5, dtype=np.float32))
np.save(OUT + "empty_0x7.npy", np.zeros((0, 7), dtype=np.float32))
np.save(OUT + "cube_2x3x4.npy", np.linspace(-1, 1, 24, dtype=np.float32).reshape(2, 3, 4))

# What the reader must reject with a clear message.
np.save(OUT + "float64.npy", np.ones((2, 2), dtype=np.float64))
np.save(OUT + "bigendian.npy", np.ones((2, 2), dtype=">f4"))
np.save(OUT + "fortran.npy", np.asfortranarray(np.ones((2, 3), dtype=np.float32)))
np.save(OUT + "int32.npy", np.ones((4,), dtype=np.int32))
