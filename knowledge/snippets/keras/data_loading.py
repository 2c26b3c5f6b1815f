# Feed a Keras model from a tf.data pipeline: slice, shuffle, batch, prefetch.
import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)  # same weights and shuffling on every run
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] > 0).astype("int64")

dataset = (
    tf.data.Dataset.from_tensor_slices((x, y))
    .shuffle(buffer_size=256, seed=0)
    .batch(32)
    .prefetch(tf.data.AUTOTUNE)  # prepare the next batch while training
)
features, targets = next(iter(dataset))
print("one batch:", features.shape, targets.shape)

model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(2, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
history = model.fit(dataset, epochs=3, verbose=0)  # no batch_size: the dataset batches
print("final loss:", round(history.history["loss"][-1], 3))
