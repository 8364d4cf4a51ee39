"""Programs written the way TorchScript users write models: a small GPT with
a KV cache and generation, beam search over NamedTuples, a vocabulary of
strings, LSTMs by hand and nn.LSTM, detection post-processing, a mixture of
experts over a ModuleDict, Dijkstra over a script-class heap, CRF Viterbi
decoding, a U-Net with an Enum, forked ensembles, modules that keep state.
Each is scripted by ember and compared with eager PyTorch; each also goes
through archives both ways: torch.jit.save -> ember.load, and ember.save ->
torch.jit.load (torch.jit as the oracle)."""
import copy
import io
import math
from enum import Enum
from typing import Dict, List, NamedTuple, Optional, Tuple

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

import ember

class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.scale = 1.0 / math.sqrt(self.head_dim)

    def forward(self, x: Tensor, mask: Optional[Tensor] = None,
                cache: Optional[Dict[str, Tensor]] = None) -> Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q = q.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = k.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        v = v.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        if cache is not None:
            if "k" in cache:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"] = k
            cache["v"] = v
        scores = torch.matmul(q, k.transpose(-2, -1)) * self.scale
        if mask is not None:
            scores = scores.masked_fill(mask == 0, float("-inf"))
        attn = F.softmax(scores, dim=-1)
        y = (attn @ v).transpose(1, 2).contiguous().view(b, t, d)
        return self.out(y)


class Block(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim), nn.Dropout(0.1))

    def forward(self, x: Tensor, mask: Optional[Tensor] = None) -> Tensor:
        x = x + self.attn(self.ln1(x), mask)
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab: int = 50, dim: int = 32, heads: int = 4, layers: int = 2, ctx: int = 16):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(1, ctx, dim) * 0.02)
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(layers)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.register_buffer("causal", torch.tril(torch.ones(ctx, ctx)).view(1, 1, ctx, ctx))

    def forward(self, idx: Tensor) -> Tensor:
        t = idx.size(1)
        x = self.tok(idx) + self.pos[:, :t]
        mask = self.causal[:, :, :t, :t]
        for blk in self.blocks:
            x = blk(x, mask)
        return self.head(self.ln(x))

    @torch.jit.export
    def generate(self, idx: Tensor, steps: int, temperature: float = 1.0) -> Tensor:
        for _ in range(steps):
            ctx = idx if idx.size(1) <= 16 else idx[:, -16:]
            logits = self.forward(ctx)[:, -1, :] / temperature
            nxt = torch.argmax(logits, dim=-1, keepdim=True)
            idx = torch.cat((idx, nxt), dim=1)
        return idx


class Hyp(NamedTuple):
    tokens: List[int]
    score: float


class BeamSearch(nn.Module):
    def __init__(self, vocab: int = 20, dim: int = 16):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.rnn = nn.GRUCell(dim, dim)
        self.proj = nn.Linear(dim, vocab)
        self.eos: int = 1
        self.beam: int = 3

    def forward(self, h0: Tensor, max_len: int) -> List[Hyp]:
        beams: List[Tuple[List[int], float, Tensor]] = [([0], 0.0, h0)]
        finished: List[Hyp] = []
        for _ in range(max_len):
            candidates: List[Tuple[List[int], float, Tensor]] = []
            for tokens, score, h in beams:
                inp = self.emb(torch.tensor([tokens[-1]]))
                h2 = self.rnn(inp, h)
                logp = F.log_softmax(self.proj(h2), dim=-1)[0]
                top = torch.topk(logp, self.beam)
                for i in range(self.beam):
                    tok = int(top.indices[i])
                    candidates.append((tokens + [tok], score + float(top.values[i]), h2))
            ordered = [c[1] for c in candidates]
            ordered.sort(reverse=True)
            beams = []
            for s in ordered:
                for c in candidates:
                    if c[1] == s and len(beams) < self.beam:
                        if c[0][-1] == self.eos:
                            finished.append(Hyp(c[0], c[1]))
                        else:
                            beams.append(c)
                        break
            if len(beams) == 0:
                break
        for tokens, score, _ in beams:
            finished.append(Hyp(tokens, score))
        return finished


class Vocab(nn.Module):
    def __init__(self, words: List[str]):
        super().__init__()
        self.itos: List[str] = words
        self.stoi: Dict[str, int] = {w: i for i, w in enumerate(words)}
        self.unk: int = 0

    def forward(self, texts: List[str], max_len: int) -> Tuple[Tensor, Tensor]:
        ids: List[List[int]] = []
        for text in texts:
            row = [self.stoi.get(w.lower().strip(".,!?"), self.unk) for w in text.split()]
            row = row[:max_len]
            ids.append(row + [self.unk] * (max_len - len(row)))
        lengths = torch.tensor([min(len(t.split()), max_len) for t in texts])
        return torch.tensor(ids, dtype=torch.long), lengths

    @torch.jit.export
    def decode(self, ids: List[int]) -> str:
        return " ".join([self.itos[i] if 0 <= i < len(self.itos) else "<unk>" for i in ids])


class HandLSTM(nn.Module):
    def __init__(self, n_in: int = 8, hidden: int = 12):
        super().__init__()
        self.cell = nn.LSTMCell(n_in, hidden)
        self.lstm = nn.LSTM(n_in, hidden, num_layers=2, batch_first=True)
        self.hidden = hidden

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        b = x.size(0)
        h = torch.zeros(b, self.hidden)
        c = torch.zeros(b, self.hidden)
        outs: List[Tensor] = []
        for step in x.unbind(1):
            h, c = self.cell(step, (h, c))
            outs.append(h)
        mine = torch.stack(outs, 1)
        theirs, (hn, cn) = self.lstm(x)
        return mine, theirs + hn[-1].unsqueeze(1)


class Postprocess(nn.Module):
    def __init__(self, score_thresh: float = 0.3, max_det: int = 5):
        super().__init__()
        self.score_thresh = score_thresh
        self.max_det = max_det

    def decode(self, deltas: Tensor, anchors: Tensor) -> Tensor:
        w = anchors[:, 2] - anchors[:, 0]
        h = anchors[:, 3] - anchors[:, 1]
        cx = anchors[:, 0] + 0.5 * w + deltas[:, 0] * w
        cy = anchors[:, 1] + 0.5 * h + deltas[:, 1] * h
        pw = torch.exp(deltas[:, 2].clamp(max=math.log(1000.0 / 16))) * w
        ph = torch.exp(deltas[:, 3].clamp(max=math.log(1000.0 / 16))) * h
        return torch.stack([cx - 0.5 * pw, cy - 0.5 * ph, cx + 0.5 * pw, cy + 0.5 * ph], dim=1)

    def forward(self, scores: Tensor, deltas: Tensor, anchors: Tensor) -> List[Dict[str, Tensor]]:
        results: List[Dict[str, Tensor]] = []
        for i in range(scores.size(0)):
            boxes = self.decode(deltas[i], anchors)
            probs = scores[i].sigmoid()
            best, labels = probs.max(dim=1)
            keep = best > self.score_thresh
            boxes, best, labels = boxes[keep], best[keep], labels[keep]
            order = best.argsort(descending=True)[: self.max_det]
            results.append({"boxes": boxes[order], "scores": best[order], "labels": labels[order]})
        return results


class Router(nn.Module):
    def __init__(self):
        super().__init__()
        self.experts = nn.ModuleDict({"a": nn.Linear(6, 6), "b": nn.Sequential(nn.Linear(6, 6), nn.Tanh())})
        self.gate = nn.Linear(6, 2)
        self.names: List[str] = ["a", "b"]

    def forward(self, x: Tensor) -> Dict[str, Tensor]:
        weights = F.softmax(self.gate(x), dim=-1)
        out: Dict[str, Tensor] = {}
        total = torch.zeros_like(x)
        i = 0
        for name, expert in self.experts.items():
            y = expert(x) * weights[:, i:i + 1]
            out[name] = y
            total += y
            i += 1
        out["total"] = total
        return out



@torch.jit.script
class MinHeap:
    def __init__(self):
        self.keys: List[float] = []
        self.vals: List[int] = []

    def __len__(self) -> int:
        return len(self.keys)

    def push(self, key: float, val: int):
        self.keys.append(key)
        self.vals.append(val)
        i = len(self.keys) - 1
        while i > 0:
            parent = (i - 1) // 2
            if self.keys[parent] <= self.keys[i]:
                break
            self.keys[parent], self.keys[i] = self.keys[i], self.keys[parent]
            self.vals[parent], self.vals[i] = self.vals[i], self.vals[parent]
            i = parent

    def pop(self) -> Tuple[float, int]:
        key, val = self.keys[0], self.vals[0]
        last_k, last_v = self.keys.pop(), self.vals.pop()
        if len(self.keys) > 0:
            self.keys[0], self.vals[0] = last_k, last_v
            i = 0
            n = len(self.keys)
            while True:
                small = i
                for c in [2 * i + 1, 2 * i + 2]:
                    if c < n and self.keys[c] < self.keys[small]:
                        small = c
                if small == i:
                    break
                self.keys[small], self.keys[i] = self.keys[i], self.keys[small]
                self.vals[small], self.vals[i] = self.vals[i], self.vals[small]
                i = small
        return key, val


class Dijkstra(nn.Module):
    def forward(self, weights: Tensor, source: int) -> List[float]:
        n = weights.size(0)
        dist = [float("inf")] * n
        dist[source] = 0.0
        heap = MinHeap()
        heap.push(0.0, source)
        while len(heap) > 0:
            d, u = heap.pop()
            if d > dist[u]:
                continue
            for v in range(n):
                w = float(weights[u, v])
                if w > 0 and d + w < dist[v]:
                    dist[v] = d + w
                    heap.push(dist[v], v)
        return dist


class CRF(nn.Module):
    def __init__(self, tags: int = 5):
        super().__init__()
        self.transitions = nn.Parameter(torch.randn(tags, tags))
        self.start = nn.Parameter(torch.randn(tags))
        self.end = nn.Parameter(torch.randn(tags))

    def forward(self, emissions: Tensor, mask: Tensor) -> List[List[int]]:
        batch, seq, tags = emissions.shape
        score = self.start + emissions[:, 0]
        history: List[Tensor] = []
        for i in range(1, seq):
            nxt = score.unsqueeze(2) + self.transitions + emissions[:, i].unsqueeze(1)
            nxt, idx = nxt.max(dim=1)
            score = torch.where(mask[:, i].unsqueeze(1), nxt, score)
            history.append(idx)
        score = score + self.end
        lengths = mask.long().sum(dim=1) - 1
        best: List[List[int]] = []
        for b in range(batch):
            tag = int(score[b].argmax())
            path = [tag]
            for j in range(int(lengths[b]) - 1, -1, -1):
                tag = int(history[j][b][tag])
                path.append(tag)
            path.reverse()
            best.append(path)
        return best


class Mode(Enum):
    BILINEAR = "bilinear"
    NEAREST = "nearest"


class UNet(nn.Module):
    __constants__ = ["depth"]

    def __init__(self, ch: int = 4, depth: int = 2):
        super().__init__()
        self.depth = depth
        self.inc = nn.Conv2d(3, ch, 3, padding=1)
        self.downs = nn.ModuleList([nn.Conv2d(ch * 2 ** i, ch * 2 ** (i + 1), 3, padding=1) for i in range(depth)])
        self.ups = nn.ModuleList([nn.Conv2d(ch * 2 ** (i + 1) + ch * 2 ** i, ch * 2 ** i, 3, padding=1)
                                  for i in reversed(range(depth))])
        self.norms = nn.ModuleList([nn.BatchNorm2d(ch * 2 ** (i + 1)) for i in range(depth)])
        self.outc = nn.Conv2d(ch, 2, 1)
        self.mode = Mode.BILINEAR

    def forward(self, x: Tensor) -> Tensor:
        x = F.relu(self.inc(x))
        skips: List[Tensor] = [x]
        for down, norm in zip(self.downs, self.norms):
            x = F.max_pool2d(x, 2)
            x = F.leaky_relu(norm(down(x)), 0.1, inplace=True)
            skips.append(x)
        skips.pop()
        for up in self.ups:
            skip = skips.pop()
            if self.mode == Mode.BILINEAR:
                x = F.interpolate(x, size=skip.shape[-2:], mode=self.mode.value, align_corners=False)
            else:
                x = F.interpolate(x, size=skip.shape[-2:], mode="nearest")
            dy = skip.size(2) - x.size(2)
            dx = skip.size(3) - x.size(3)
            x = F.pad(x, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
            x = F.relu(up(torch.cat([skip, x], dim=1)))
        return self.outc(x)


class Ensemble(nn.Module):
    def __init__(self):
        super().__init__()
        self.members = nn.ModuleList([nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)) for _ in range(3)])

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        futures: List[torch.jit.Future[Tensor]] = []
        for m in self.members:
            futures.append(torch.jit.fork(m, x))
        outs = [torch.jit.wait(f) for f in futures]
        stacked = torch.stack(outs)
        return stacked.mean(0), stacked.std(0)


class Validator(nn.Module):
    def __init__(self):
        super().__init__()
        self.expected_dim: torch.jit.Final[int] = 3

    def forward(self, x: Tensor, name: str) -> str:
        if x.dim() != self.expected_dim:
            raise ValueError(f"{name}: expected {self.expected_dim}-d input, got {x.dim()}-d")
        parts: List[str] = []
        for i, s in enumerate(x.shape):
            parts.append("{}={}".format(i, s))
        mean = float(x.mean())
        return "{}[{}] mean={:.3f} max={:.2f}".format(name, ", ".join(parts), mean, float(x.max()))


class Cache(nn.Module):
    store: Dict[str, Tensor]

    def __init__(self):
        super().__init__()
        self.store: Dict[str, Tensor] = {}
        self.hits = 0

    def forward(self, key: str, x: Tensor) -> Tensor:
        if key in self.store:
            self.hits += 1
            return self.store[key] + x
        y = x * 2
        self.store[key] = y
        return y

    @torch.jit.export
    def stats(self) -> Tuple[int, List[str]]:
        keys = list(self.store.keys())
        keys.sort()
        return self.hits, keys


def _same(a, b):
    if isinstance(a, torch.Tensor):
        return a.shape == b.shape and a.dtype == b.dtype and torch.allclose(a, b, atol=1e-5)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return sorted(a) == sorted(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return abs(a - b) < 1e-4
    return a == b


def _cases():
    torch.manual_seed(0)
    weights = torch.rand(6, 6) * (torch.rand(6, 6) > 0.4)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]], dtype=torch.bool)
    anchors = torch.rand(10, 4) * 50 + torch.tensor([0.0, 0.0, 50.0, 50.0])
    words = ["<unk>", "the", "cat", "sat", "on", "mat", "dog"]
    return {
        "gpt": (TinyGPT, "forward", [(torch.randint(0, 50, (2, 7)),)]),
        "gpt-generate": (TinyGPT, "generate", [(torch.randint(0, 50, (1, 3)), 20)]),
        "beam-search": (BeamSearch, "forward", [(torch.randn(1, 16), 6)]),
        "vocab": (lambda: Vocab(words), "forward", [(["The cat sat on the mat.", "A dog!"], 5)]),
        "vocab-decode": (lambda: Vocab(words), "decode", [([1, 2, 9, 3],)]),
        "lstm": (HandLSTM, "forward", [(torch.randn(3, 5, 8),)]),
        "postprocess": (Postprocess, "forward",
                        [(torch.randn(2, 10, 3), torch.randn(2, 10, 4) * 0.1, anchors)]),
        "router": (Router, "forward", [(torch.randn(4, 6),)]),
        "dijkstra": (Dijkstra, "forward", [(weights, 0), (weights, 3)]),
        "crf": (CRF, "forward", [(torch.randn(2, 4, 5), mask)]),
        "unet": (UNet, "forward", [(torch.randn(1, 3, 17, 23),), (torch.randn(2, 3, 16, 16),)]),
        "ensemble": (Ensemble, "forward", [(torch.randn(4, 5),)]),
        "cache": (Cache, "forward", [("a", torch.ones(2)), ("b", torch.ones(2)), ("a", torch.ones(2))]),
        "transformer-encoder": (
            lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, batch_first=True), 2),
            "forward", [(torch.randn(2, 5, 16),)]),
        "multihead-attention": (lambda: nn.MultiheadAttention(16, 4), "forward",
                                [(torch.randn(5, 2, 16), torch.randn(5, 2, 16), torch.randn(5, 2, 16))]),
    }


CASES = _cases()


def _run(model, method, calls):
    with torch.no_grad():
        return [getattr(model, method)(*args) for args in calls]


def _model(name):
    factory, method, calls = CASES[name]
    torch.manual_seed(1)
    return factory().eval(), method, calls


# Test that each program scripted by ember gives eager PyTorch's results,
# calls after the first included (state kept across calls).
@pytest.mark.parametrize("name", sorted(CASES))
def test_scripted_matches_eager(name):
    model, method, calls = _model(name)
    scripted = ember.script(copy.deepcopy(model))
    assert _same(_run(model, method, calls), _run(scripted, method, calls))


# Test that torch.jit.save archives of each program load in ember and give
# eager's results.
@pytest.mark.parametrize("name", sorted(CASES))
def test_torch_saved_loads_in_ember(name):
    model, method, calls = _model(name)
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(copy.deepcopy(model)), buf)
    buf.seek(0)
    assert _same(_run(model, method, calls), _run(ember.load(buf), method, calls))


# Test that ember.save archives of each program load in torch.jit and give
# eager's results.
@pytest.mark.parametrize("name", sorted(CASES))
def test_ember_saved_loads_in_torch_jit(name):
    model, method, calls = _model(name)
    buf = io.BytesIO()
    ember.save(ember.script(copy.deepcopy(model)), buf)
    buf.seek(0)
    assert _same(_run(model, method, calls), _run(torch.jit.load(buf), method, calls))


# Test that module state written by compiled code is seen from Python, and a
# `raise` with an f-string reaches the caller as torch.jit's Error with the
# Python exception class in its message.
def test_state_and_errors():
    cache = ember.script(Cache())
    for key in ("k", "k", "j"):
        cache(key, torch.ones(1))
    assert cache.stats() == (1, ["j", "k"]) and cache.hits == 1
    validator = ember.script(Validator())
    assert validator(torch.ones(2, 3, 4), "x") == Validator()(torch.ones(2, 3, 4), "x")
    with pytest.raises(ember.Error, match=r"builtins.ValueError: bad: expected 3-d input, got 1-d"):
        validator(torch.ones(2), "bad")


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.c2 = nn.Conv2d(8, 8, 3, padding=1, groups=2)

    def forward(self, x):
        y = F.relu(self.bn(self.c1(x)))
        return {"low": y, "high": F.adaptive_avg_pool2d(self.c2(y) + y, 1).flatten(1)}


class Head(nn.Module):
    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone
        self.fc = nn.Linear(8, 4)

    def forward(self, x: Tensor, topk: int) -> Tuple[Tensor, List[int]]:
        feats = self.backbone(x)
        logits = self.fc(feats["high"])
        if topk > 0:
            idx: List[int] = logits[0].topk(topk).indices.tolist()
            return logits, idx
        return logits, []


# Test a traced backbone with a dict output (strict=False) inside a scripted
# head with control flow, and its archives both ways.
def test_traced_backbone_in_scripted_head():
    torch.manual_seed(0)
    backbone = Backbone().eval()
    x, other = torch.randn(2, 3, 16, 16), torch.randn(1, 3, 20, 12)
    traced = ember.trace(backbone, x, strict=False)
    assert _same(traced(other), backbone(other))
    head = Head(backbone).eval()
    scripted = ember.script(Head(traced).eval())
    scripted.fc.load_state_dict(head.fc.state_dict())
    want = [head(x, 2), head(x, 0)]
    assert _same([scripted(x, 2), scripted(x, 0)], want)
    buf = io.BytesIO()
    ember.save(scripted, buf)
    for load in (torch.jit.load, ember.load):
        buf.seek(0)
        loaded = load(buf)
        assert _same([loaded(x, 2), loaded(x, 0)], want)
