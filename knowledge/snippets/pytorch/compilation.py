# torch.compile: captures the model's Python code as a graph and generates fused
# kernels for it (C++ on a CPU, Triton on a GPU). The first call compiles, so it
# is slow; later calls reuse the compiled code. The results match eager mode.
import time

import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(1024, 16)
y = (x[:, 0] + x[:, 1] > 0).long()
model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 2))
compiled = torch.compile(model)  # shares the parameters with `model`
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for step in range(30):
    started = time.perf_counter()
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(compiled(x), y)
    loss.backward()
    optimizer.step()
    if step in (0, 1, 29):
        print(f"step {step:2d}: {time.perf_counter() - started:.3f} s, loss {loss.item():.3f}")

with torch.no_grad():
    print("same as eager:", torch.allclose(compiled(x), model(x), atol=1e-5))
