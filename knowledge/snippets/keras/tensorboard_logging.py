# Log training curves for TensorBoard with the TensorBoard callback.
# View them with: tensorboard --logdir <log_dir>
import os
import tempfile

import keras
import numpy as np

keras.utils.set_random_seed(0)  # same weights and shuffling on every run
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] > 0).astype("int64")
model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(2, activation="softmax"),
    ]
)
model.compile(
    optimizer="adam",
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)

with tempfile.TemporaryDirectory() as log_dir:
    tensorboard = keras.callbacks.TensorBoard(log_dir=log_dir)
    model.fit(x, y, epochs=3, validation_split=0.2, callbacks=[tensorboard], verbose=0)
    runs = sorted(os.listdir(log_dir))  # a sub-folder each for training, validation
    print("TensorBoard logs written to:", runs)
