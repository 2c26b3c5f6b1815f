# Use a GPU when TensorFlow sees one, otherwise fall back to the CPU.
# Keras places work on the GPU automatically; tf.device makes the choice explicit.
import numpy as np
import tensorflow as tf
from tensorflow import keras

gpus = tf.config.list_physical_devices("GPU")
device = "/GPU:0" if gpus else "/CPU:0"
print("GPUs found:", len(gpus), "-> using", device)

keras.utils.set_random_seed(0)
x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
y = (x[:, 0] > 0).astype("int64")
with tf.device(device):
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=2, verbose=0)
print("weights live on:", model.weights[0].device)
print("final loss:", round(history.history["loss"][-1], 3))
