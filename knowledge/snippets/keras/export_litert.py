# Export a Keras model to LiteRT (formerly TensorFlow Lite), the format for
# phones and microcontrollers, and run it with the LiteRT interpreter.
# backends: tensorflow -- Keras can't export JAX models to LiteRT; on PyTorch it needs litert-torch (torch >= 2.14)
import os
import tempfile

import keras
import numpy as np
from ai_edge_litert.interpreter import Interpreter

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ]
)
x = np.random.default_rng(0).normal(size=(1, 4)).astype("float32")
expected = model.predict(x, verbose=0)

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "classifier.tflite")
    model.export(path, format="litert", verbose=False)
    print("LiteRT file:", os.path.getsize(path), "bytes")
    interpreter = Interpreter(model_path=path)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
    interpreter.invoke()
    outputs = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])

print("LiteRT gives the same predictions:", np.allclose(expected, outputs, atol=1e-5))
