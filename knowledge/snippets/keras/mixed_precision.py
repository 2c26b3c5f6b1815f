# Mixed precision: compute in 16-bit floats, keep the weights in float32.
# On CPUs and TPUs use "mixed_bfloat16"; on NVIDIA GPUs "mixed_float16"
# (then Keras scales the loss by itself so small gradients don't vanish).
import keras
import numpy as np

keras.mixed_precision.set_dtype_policy("mixed_bfloat16")  # for every layer created after this
keras.utils.set_random_seed(0)  # same weights and shuffling on every run
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")

model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(2),
        keras.layers.Activation("softmax", dtype="float32"),  # keep the outputs in float32
    ]
)
hidden = model.layers[0]
print("hidden layer computes in", hidden.compute_dtype, "and stores weights in", hidden.variable_dtype)
print("output dtype:", keras.backend.standardize_dtype(model(x[:2]).dtype))

model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x, y, epochs=10, batch_size=64, verbose=0)
print("accuracy:", round(history.history["accuracy"][-1], 3))
