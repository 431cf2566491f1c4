"""``python -m sqolab.data``: rewrite the sample files in ``datasets/`` (byte for byte)."""

from sqolab.data.samples import write_samples

for written in write_samples():
    print(f"wrote {written}")
