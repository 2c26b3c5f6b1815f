# Compile the training and prediction steps: jit_compile=True asks the backend's
# compiler to fuse them (XLA on TensorFlow and JAX, torch.compile on PyTorch).
# backends: tensorflow, jax -- PyTorch works too (torch.compile), but compiling this step takes over a minute on 2 CPU cores
import time

import keras
import numpy as np

keras.utils.set_random_seed(0)  # same weights and shuffling on every run
rng = np.random.default_rng(0)
x = rng.normal(size=(1024, 16)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")

model = keras.Sequential(
    [
        keras.Input(shape=(16,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(2, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=True)
print("backend:", keras.backend.backend(), "jit_compile:", model.jit_compile)

started = time.perf_counter()
model.fit(x, y, epochs=1, batch_size=64, verbose=0)  # the first epoch includes compiling
print(f"first epoch (with compilation): {time.perf_counter() - started:.1f} s")
started = time.perf_counter()
history = model.fit(x, y, epochs=3, batch_size=64, verbose=0)
print(f"next 3 epochs: {time.perf_counter() - started:.1f} s")
print("accuracy:", round(history.history["accuracy"][-1], 3))
