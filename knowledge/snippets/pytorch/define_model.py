# Define a small model in PyTorch: subclass nn.Module, create the layers in
# __init__ and describe the computation in forward().
import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, n_in=4, n_hidden=16, n_out=3):
        super().__init__()
        self.hidden = nn.Linear(n_in, n_hidden)
        self.out = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))  # logits


torch.manual_seed(0)
model = MLP()
print(model)
print("output shape:", model(torch.randn(2, 4)).shape)
print("parameters:", sum(p.numel() for p in model.parameters()))
