# Export a PyTorch model to ONNX with torch.onnx.export and run it with ONNX
# Runtime, which needs neither PyTorch nor the model's class.
import os
import tempfile

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3), nn.Softmax(dim=1)).eval()
example = torch.randn(2, 4)

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "classifier.onnx")
    torch.onnx.export(
        model,
        (example,),
        path,
        input_names=["features"],
        output_names=["probabilities"],
        dynamic_shapes=({0: "batch"},),  # any batch size
    )
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    (outputs,) = session.run(None, {"features": x})

expected = model(torch.from_numpy(x)).detach().numpy()
print("ONNX input shape:", session.get_inputs()[0].shape)
print("ONNX Runtime gives the same output:", np.allclose(outputs, expected, atol=1e-5))
