# Train a small classifier with compile() and fit() on synthetic data.
import keras
import numpy as np

keras.utils.set_random_seed(0)  # same weights and shuffling on every run
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")  # two classes

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
history = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, verbose=0)
print("accuracy:", round(history.history["accuracy"][-1], 3))
print("validation accuracy:", round(history.history["val_accuracy"][-1], 3))
