# Evaluate a PyTorch model on held-out data: eval() mode, no gradients,
# then the mean loss and the accuracy.
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(400, 4)
y = (x[:, 0] + x[:, 1] > 0).long()
x_train, y_train, x_test, y_test = x[:300], y[:300], x[300:], y[300:]

model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for _ in range(100):  # quick full-batch training so there is something to evaluate
    optimizer.zero_grad()
    loss_fn(model(x_train), y_train).backward()
    optimizer.step()

model.eval()  # switches off dropout and batch-norm updates
with torch.no_grad():  # no autograd bookkeeping while evaluating
    logits = model(x_test)
    test_loss = loss_fn(logits, y_test).item()
    accuracy = (logits.argmax(dim=1) == y_test).float().mean().item()
print(f"test loss: {test_loss:.3f}  test accuracy: {accuracy:.3f}")
