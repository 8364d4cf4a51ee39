"""Seeds for the archive fuzzer: small modules saved by torch.jit.save, whole
(first byte 1) and their data.pkl alone (first byte 0).
   make-archive-seeds.py CORPUS_DIR
"""
import io, os, sys, zipfile
import torch
from typing import Dict, List
out = sys.argv[1]
class Attrs(torch.nn.Module):
    names: List[str]
    table: Dict[str, int]
    def __init__(self):
        super().__init__()
        self.names = ["a", "b"]
        self.table = {"x": 1}
        self.register_buffer("view", torch.arange(6.0).view(2, 3)[:, 1:])
    def forward(self, x):
        return x + self.view.sum()
for i, m in enumerate([torch.nn.Linear(2, 2), Attrs(), torch.nn.Sequential(torch.nn.ReLU())]):
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(m), buf)
    data = buf.getvalue()
    open(os.path.join(out, "archive-%d" % i), "wb").write(b"\x01" + data)
    z = zipfile.ZipFile(io.BytesIO(data))
    pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
    open(os.path.join(out, "pickle-%d" % i), "wb").write(b"\x00" + z.read(pkl))
