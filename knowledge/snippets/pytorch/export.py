# Export a PyTorch model for deployment with torch.export: the result is a
# self-contained graph that can be saved, reloaded and run without the class.
import os
import tempfile

import torch
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)


torch.manual_seed(0)
model = Classifier().eval()
example = torch.randn(2, 4)
batch = torch.export.Dim("batch")  # let the batch size vary at run time
exported = torch.export.export(model, (example,), dynamic_shapes={"x": {0: batch}})

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "classifier.pt2")
    torch.export.save(exported, path)
    reloaded = torch.export.load(path).module()

x = torch.randn(5, 4)  # a different batch size from the example
print("same output after reload:", torch.allclose(model(x), reloaded(x)))
