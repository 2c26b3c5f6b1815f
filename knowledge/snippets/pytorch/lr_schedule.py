# Learning-rate schedules in PyTorch: a scheduler changes the optimizer's rate;
# call scheduler.step() after optimizer.step(). Here: linear warm-up, then cosine.
import torch
from torch import nn
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

torch.manual_seed(0)
x = torch.randn(256, 4)
y = (x[:, 0] + x[:, 1] > 0).long()
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

warmup = LinearLR(optimizer, start_factor=0.1, total_iters=10)  # 0.05 -> 0.5 over 10 steps
cosine = CosineAnnealingLR(optimizer, T_max=90)  # 0.5 -> 0 over the next 90
scheduler = SequentialLR(optimizer, schedulers=[warmup, cosine], milestones=[10])

for step in range(100):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    if step % 20 == 0 or step == 99:
        print(f"step {step:2d}: learning rate {scheduler.get_last_lr()[0]:.4f}, loss {loss.item():.3f}")
    scheduler.step()
