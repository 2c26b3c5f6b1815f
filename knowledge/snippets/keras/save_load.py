# Save a Keras model to disk, load it back and check it predicts the same.
import os
import tempfile

import keras
import numpy as np

x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "model.keras")  # single-file Keras format
    model.save(path)
    restored = keras.models.load_model(path)

same = np.allclose(model.predict(x, verbose=0), restored.predict(x, verbose=0))
print("loaded model gives the same predictions:", same)
