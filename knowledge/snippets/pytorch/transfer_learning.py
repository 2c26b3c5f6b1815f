# Transfer learning in PyTorch: reuse a trained base, freeze its parameters
# (requires_grad=False), train a new head; then fine-tune with a smaller rate.
# Real projects load pretrained weights, e.g. torchvision.models.resnet18(weights="DEFAULT");
# here a base trained on synthetic data stands in.
import torch
from torch import nn


def train(model, parameters, x, y, epochs, lr):
    optimizer = torch.optim.Adam(parameters, lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    return loss.item()


torch.manual_seed(0)
base = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU())

# 1. "Pretrain" the base with a first head on a first task.
x_old = torch.randn(512, 8)
y_old = (x_old[:, 0] + x_old[:, 1] > 0).long()
first = nn.Sequential(base, nn.Linear(16, 2))
print("first task, loss:", round(train(first, first.parameters(), x_old, y_old, epochs=100, lr=0.01), 3))

# 2. New task: freeze the base, train only a new head.
for parameter in base.parameters():
    parameter.requires_grad = False
model = nn.Sequential(base, nn.Linear(16, 3))
x_new = torch.randn(256, 8)
y_new = torch.bucketize(x_new[:, 0] + x_new[:, 1], torch.tensor([-0.7, 0.7]))  # 3 classes
before = [p.clone() for p in base.parameters()]
trainable = [p for p in model.parameters() if p.requires_grad]
print("trainable tensors:", len(trainable), "frozen:", len(before))
print("new task, loss:", round(train(model, trainable, x_new, y_new, epochs=200, lr=0.01), 3))
print("base unchanged:", all(torch.equal(a, b) for a, b in zip(before, base.parameters())))

# 3. Optional fine-tuning: unfreeze, with a smaller learning rate for the base.
for parameter in base.parameters():
    parameter.requires_grad = True
groups = [{"params": base.parameters(), "lr": 1e-4}, {"params": model[1].parameters(), "lr": 1e-3}]
print("after fine-tuning, loss:", round(train(model, groups, x_new, y_new, epochs=20, lr=1e-3), 3))
