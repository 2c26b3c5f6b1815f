# Evaluate a trained model on held-out test data: evaluate() returns loss and metrics.
import keras
import numpy as np

keras.utils.set_random_seed(0)  # same weights and shuffling on every run
rng = np.random.default_rng(0)
x = rng.normal(size=(400, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")
x_train, y_train, x_test, y_test = x[:300], y[:300], x[300:], y[300:]

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
model.fit(x_train, y_train, epochs=20, batch_size=32, verbose=0)

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss: {loss:.3f}  test accuracy: {accuracy:.3f}")
