# Log scalars to TensorBoard from PyTorch with SummaryWriter.
# View them with: tensorboard --logdir <log_dir>
import os
import tempfile

import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter

torch.manual_seed(0)
x = torch.randn(128, 4)
y = (x[:, 0] > 0).long()
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)

with tempfile.TemporaryDirectory() as log_dir:
    writer = SummaryWriter(log_dir=log_dir)
    for step in range(20):
        optimizer.zero_grad()
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y)
        loss.backward()
        optimizer.step()
        accuracy = (logits.argmax(dim=1) == y).float().mean()
        writer.add_scalar("train/loss", loss.item(), step)
        writer.add_scalar("train/accuracy", accuracy.item(), step)
    writer.close()  # flush everything to disk
    print("event files written:", len(os.listdir(log_dir)))
print("final loss:", round(loss.item(), 3))
