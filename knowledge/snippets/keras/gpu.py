# Use a GPU when the backend sees one, otherwise fall back to the CPU.
# Keras places work on the GPU by itself; keras.device makes the choice explicit.
import keras
import numpy as np


def gpu_available():
    """Each backend has its own way to ask."""
    backend = keras.backend.backend()
    if backend == "torch":
        import torch

        return torch.cuda.is_available()
    if backend == "jax":
        import jax

        return jax.default_backend() == "gpu"
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


device = "gpu" if gpu_available() else "cpu"
print(f"backend: {keras.backend.backend()} -> using {device}")

keras.utils.set_random_seed(0)
x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
y = (x[:, 0] > 0).astype("int64")
with keras.device(device):
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=2, verbose=0)
print("final loss:", round(history.history["loss"][-1], 3))
