# One training step in PyTorch, spelled out: autograd records the forward pass,
# loss.backward() fills each parameter's .grad, optimizer.step() applies them.
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.CrossEntropyLoss()


def train_step(x, y):
    model.train()
    optimizer.zero_grad()  # gradients add up unless cleared
    loss = loss_fn(model(x), y)  # forward pass, recorded by autograd
    loss.backward()  # fill p.grad for every parameter
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)  # optional clipping
    optimizer.step()  # p -= lr * p.grad
    return loss.item()


x = torch.randn(32, 4)
y = (x[:, 0] > 0).long()
print("gradient before the first step:", model[0].weight.grad)
for step in range(5):
    print(f"step {step}  loss {train_step(x, y):.3f}")
print("gradient shape after a step:", tuple(model[0].weight.grad.shape))
