"""ember's demo: script a transformer block written in the TorchScript style
(a function) and a small language model built from torch.nn layers (a
module), print graphs and code, run them, and check them against eager
PyTorch."""
import math
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

import ember


def attention(x: torch.Tensor, wqkv: torch.Tensor, wo: torch.Tensor, heads: int,
              mask: Optional[torch.Tensor]) -> torch.Tensor:
    b, t, d = x.size(0), x.size(1), x.size(2)
    q, k, v = (x @ wqkv).chunk(3, dim=-1)
    q = q.view(b, t, heads, d // heads).transpose(1, 2)
    k = k.view(b, t, heads, d // heads).transpose(1, 2)
    v = v.view(b, t, heads, d // heads).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d // heads)
    if mask is not None:
        scores = scores.masked_fill(mask, -1e9)
    out = torch.softmax(scores, dim=-1) @ v
    return out.transpose(1, 2).reshape(b, t, d) @ wo


def block(x: torch.Tensor, weights: List[torch.Tensor], heads: int, causal: bool,
          layers: int) -> Tuple[torch.Tensor, List[float]]:
    mask: Optional[torch.Tensor] = None
    if causal:
        t = x.size(1)
        mask = torch.ones(t, t).triu(1).bool()
    norms: List[float] = []
    for i in range(layers):
        wqkv, wo, w1, w2 = weights[4 * i], weights[4 * i + 1], weights[4 * i + 2], weights[4 * i + 3]
        h = F.layer_norm(x, [x.size(-1)])
        x = x + attention(h, wqkv, wo, heads, mask)
        h = F.layer_norm(x, [x.size(-1)])
        x = x + torch.relu(h @ w1) @ w2
        norms.append(float(x.norm()))
    return x, norms


class TinyLM(nn.Module):
    """Embedding, two encoder layers, a norm and a tied head: scripted
    recursively, as torch.jit.script scripts it."""

    def __init__(self, vocab: int, d: int, heads: int):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(
            [nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True)
             for _ in range(2)])
        self.norm = nn.LayerNorm(d)
        self.temperature = 1.0

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed(tokens)
        for layer in self.layers:
            x = layer(x)
        logits = self.norm(x) @ self.embed.weight.t()
        return torch.log_softmax(logits / self.temperature, dim=-1)


def module_demo():
    torch.manual_seed(0)
    model = TinyLM(vocab=50, d=32, heads=4).eval()
    scripted = ember.script(model)
    print("=== code of TinyLM.forward ===")
    print(scripted.code)
    tokens = torch.randint(0, 50, (2, 7))
    diff = (scripted(tokens) - model(tokens)).abs().max().item()
    print("=== run ===")
    print("log-probs", tuple(scripted(tokens).shape), "max |ember - eager| = %.3g" % diff)
    assert diff < 1e-5, "ember and eager disagree"
    # The scripted module shares its parameters and attributes with Python.
    assert scripted.embed.weight is model.embed.weight
    scripted.temperature = 2.0
    model.temperature = 2.0
    assert torch.allclose(scripted(tokens), model(tokens), atol=1e-5)
    print("parameters:", sum(p.numel() for p in scripted.parameters()),
          "| state_dict keys:", len(scripted.state_dict()))
    print("ember's scripted module matches eager PyTorch")


def main():
    torch.manual_seed(0)
    d, layers = 32, 2
    weights = []
    for _ in range(layers):
        weights += [torch.randn(d, 3 * d) / d ** 0.5, torch.randn(d, d) / d ** 0.5,
                    torch.randn(d, 4 * d) / d ** 0.5, torch.randn(4 * d, d) / (4 * d) ** 0.5]
    x = torch.randn(2, 5, d)

    scripted = ember.script(block)
    print("=== graph of block ===")
    print(scripted.graph)
    print("=== code of block ===")
    print(scripted.code)

    out, norms = scripted(x, weights, 4, True, layers)
    expected, expected_norms = block(x, weights, 4, True, layers)
    diff = (out - expected).abs().max().item()
    print("=== run ===")
    print("output", tuple(out.shape), "max |ember - eager| = %.3g" % diff)
    print("norms  ember", ["%.4f" % n for n in norms])
    print("norms  eager", ["%.4f" % n for n in expected_norms])
    assert diff < 1e-5, "ember and eager disagree"
    print("ember matches eager PyTorch")
    module_demo()


if __name__ == "__main__":
    main()
