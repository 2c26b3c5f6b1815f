# A small convolutional network trained for one epoch on tiny synthetic images.
import keras
import numpy as np

keras.utils.set_random_seed(0)  # same weights and shuffling on every run
rng = np.random.default_rng(0)
images = rng.random(size=(64, 16, 16, 1)).astype("float32")  # 64 grey 16x16 images
labels = rng.integers(0, 3, size=64)  # 3 classes

model = keras.Sequential(
    [
        keras.Input(shape=(16, 16, 1)),
        keras.layers.Conv2D(8, kernel_size=3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(16, kernel_size=3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(3, activation="softmax"),
    ]
)
model.compile(
    optimizer="adam",
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
history = model.fit(images, labels, epochs=1, batch_size=16, verbose=0)
print("loss after one epoch:", round(history.history["loss"][0], 3))
