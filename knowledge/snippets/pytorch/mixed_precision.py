# Mixed precision in PyTorch: inside torch.autocast, eligible ops (matmuls)
# run in a 16-bit type while the parameters stay float32.
# On a CPU use bfloat16; on CUDA float16 with torch.amp.GradScaler to scale the loss.
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(256, 4)
y = (x[:, 0] + x[:, 1] > 0).long()
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
device = "cuda" if torch.cuda.is_available() else "cpu"
model.to(device)
x, y = x.to(device), y.to(device)

for step in range(50):
    optimizer.zero_grad()
    with torch.autocast(device_type=device, dtype=torch.bfloat16):
        logits = model(x)  # bfloat16
        loss = nn.functional.cross_entropy(logits, y)  # autocast runs losses in float32
    loss.backward()  # outside autocast; gradients come back in float32
    optimizer.step()

print("logits:", logits.dtype, "| loss:", loss.dtype, "| weights:", model[0].weight.dtype)
print("final loss:", round(loss.item(), 3))
