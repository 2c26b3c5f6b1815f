# Transfer learning: reuse a trained base model, freeze its layers and train only
# a new head for the new task; then unfreeze and fine-tune with a small learning rate.
# A real project loads pretrained weights, e.g. keras.applications.MobileNetV3Small(
# weights="imagenet", include_top=False); here a base trained on synthetic data stands in.
import keras
import numpy as np

keras.utils.set_random_seed(0)  # same weights and shuffling on every run
rng = np.random.default_rng(0)

# 1. The "pretrained" base, trained on a first task.
base = keras.Sequential(
    [keras.Input(shape=(8,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(16, activation="relu")],
    name="base",
)
x_old = rng.normal(size=(512, 8)).astype("float32")
y_old = (x_old[:, 0] + x_old[:, 1] > 0).astype("int64")
first = keras.Sequential([base, keras.layers.Dense(2, activation="softmax")])
first.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
first.fit(x_old, y_old, epochs=5, batch_size=64, verbose=0)

# 2. New task: freeze the base, put a new head on top. Compile after changing trainable.
base.trainable = False
model = keras.Sequential([base, keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
x_new = rng.normal(size=(256, 8)).astype("float32")
y_new = np.digitize(x_new[:, 0] + x_new[:, 1], [-0.7, 0.7])  # 3 classes
before = [keras.ops.convert_to_numpy(w) for w in base.weights]
history = model.fit(x_new, y_new, epochs=15, batch_size=64, verbose=0)
print("accuracy with the frozen base:", round(history.history["accuracy"][-1], 3))
print("trainable tensors:", len(model.trainable_weights), "frozen:", len(model.non_trainable_weights))
after = [keras.ops.convert_to_numpy(w) for w in base.weights]
print("base unchanged:", all(np.array_equal(b, a) for b, a in zip(before, after)))

# 3. Optional fine-tuning: unfreeze, recompile with a small learning rate.
base.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_new, y_new, epochs=3, batch_size=64, verbose=0)
print("accuracy after fine-tuning:", round(history.history["accuracy"][-1], 3))
