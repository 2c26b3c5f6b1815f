# Run on a GPU when PyTorch finds one, otherwise on the CPU: pick a device once,
# then move the model and every batch to it.
import torch
from torch import nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("using device:", device)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2)).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

x = torch.randn(64, 4).to(device)  # data must live on the same device as the model
y = (x[:, 0] > 0).long().to(device)
loss = nn.functional.cross_entropy(model(x), y)
optimizer.zero_grad()
loss.backward()
optimizer.step()

print("parameters on:", next(model.parameters()).device)
print("loss:", round(loss.item(), 3))  # .item() copies the value back to the CPU
