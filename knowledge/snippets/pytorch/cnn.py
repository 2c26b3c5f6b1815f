# A small convolutional network trained for one epoch on tiny synthetic images.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
images = torch.rand(64, 1, 16, 16)  # 64 greyscale 16x16 images: N, C, H, W
labels = torch.randint(0, 3, (64,))  # 3 classes
loader = DataLoader(TensorDataset(images, labels), batch_size=16, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),  # 16x16 -> 8x8
    nn.Conv2d(8, 16, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),  # global average pooling -> 16 x 1 x 1
    nn.Flatten(),
    nn.Linear(16, 3),
)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

model.train()
for batch_images, batch_labels in loader:  # one epoch
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(batch_images), batch_labels)
    loss.backward()
    optimizer.step()
print("last batch loss:", round(loss.item(), 3))
