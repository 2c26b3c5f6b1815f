# Early stopping in a PyTorch loop: PyTorch has no callbacks, so the loop checks
# the validation loss, keeps the best weights and stops after `patience` epochs.
# (PyTorch Lightning and similar libraries add an EarlyStopping callback.)
import copy

import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(300, 4)
y = (x[:, 0] + 0.5 * torch.randn(300) > 0).long()  # noisy labels: it will overfit
x_train, y_train, x_val, y_val = x[:225], y[:225], x[225:], y[225:]

model = nn.Sequential(nn.Linear(4, 64), nn.ReLU(), nn.Linear(64, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
patience, best_loss, best_state, waited = 5, float("inf"), None, 0

for epoch in range(200):
    model.train()
    optimizer.zero_grad()
    nn.functional.cross_entropy(model(x_train), y_train).backward()
    optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = nn.functional.cross_entropy(model(x_val), y_val).item()
    scheduler.step(val_loss)  # halve the learning rate when it plateaus
    if val_loss < best_loss - 1e-4:
        best_loss, best_state, waited = val_loss, copy.deepcopy(model.state_dict()), 0
    else:
        waited += 1
        if waited == patience:
            break

model.load_state_dict(best_state)  # restore the best weights
print(f"stopped after {epoch + 1} of 200 epochs; best val_loss {best_loss:.3f}")
