# Export a Keras model to ONNX and run it with ONNX Runtime, without Keras.
# backends: tensorflow, torch -- on JAX, Keras exports ONNX through jax2onnx (not installed here: large and slow)
import os
import tempfile

import keras
import numpy as np
import onnxruntime as ort

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ]
)
x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
expected = model.predict(x, verbose=0)

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "classifier.onnx")
    model.export(path, format="onnx", verbose=False)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    print("ONNX input:", name, session.get_inputs()[0].shape)
    (outputs,) = session.run(None, {name: x})

print("ONNX Runtime gives the same predictions:", np.allclose(expected, outputs, atol=1e-5))
