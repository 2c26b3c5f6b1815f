# Save a PyTorch model's weights (its state_dict) and load them into a new
# instance of the same class; the loaded model gives the same predictions.
import os
import tempfile

import torch
from torch import nn


def make_model():
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


torch.manual_seed(0)
model = make_model()
x = torch.randn(8, 4)

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "model.pt")
    torch.save(model.state_dict(), path)
    restored = make_model()  # same architecture, fresh random weights
    restored.load_state_dict(torch.load(path, weights_only=True))

model.eval()
restored.eval()
with torch.no_grad():
    same = torch.allclose(model(x), restored(x))
print("loaded model gives the same predictions:", same)
