# Data-parallel training with torch.distributed and DistributedDataParallel (DDP).
# Runs here as one CPU process (world_size=1, gloo backend); launched with
# torchrun, each process would be one rank and DDP would average the gradients.
import os
import tempfile

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

with tempfile.TemporaryDirectory() as tmp:
    init_file = "file://" + os.path.join(tmp, "rendezvous")  # where the ranks meet
    dist.init_process_group("gloo", init_method=init_file, rank=0, world_size=1)

    torch.manual_seed(0)
    x = torch.randn(64, 4)
    y = (x[:, 0] > 0).long()
    dataset = TensorDataset(x, y)
    sampler = DistributedSampler(dataset)  # each rank gets its own share of the data
    loader = DataLoader(dataset, batch_size=16, sampler=sampler)

    model = DDP(nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2)))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    sampler.set_epoch(0)  # reshuffle differently every epoch
    batch_x, batch_y = next(iter(loader))
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(batch_x), batch_y)
    loss.backward()  # DDP all-reduces the gradients across ranks here
    optimizer.step()

    print(f"rank {dist.get_rank()} of {dist.get_world_size()}  loss {loss.item():.3f}")
    dist.destroy_process_group()
