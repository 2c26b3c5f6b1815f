# Load data in PyTorch: a Dataset says how to get one example, a DataLoader
# batches and shuffles them (and can load in parallel with num_workers).
import torch
from torch.utils.data import DataLoader, Dataset


class ToyDataset(Dataset):
    def __init__(self, n=100):
        generator = torch.Generator().manual_seed(0)
        self.features = torch.randn(n, 4, generator=generator)
        self.labels = (self.features.sum(dim=1) > 0).long()

    def __len__(self):
        return len(self.features)

    def __getitem__(self, index):  # one (features, label) pair
        return self.features[index], self.labels[index]


dataset = ToyDataset()
loader = DataLoader(dataset, batch_size=32, shuffle=True, num_workers=0)

print("examples:", len(dataset), " batches per epoch:", len(loader))
for x, y in loader:
    print("batch:", tuple(x.shape), tuple(y.shape))
