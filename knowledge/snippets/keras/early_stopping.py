# Stop training when the validation loss stops improving, with callbacks:
# EarlyStopping (and keep the best weights), ModelCheckpoint, ReduceLROnPlateau
# and a small callback of your own.
import os
import tempfile

import keras
import numpy as np

keras.utils.set_random_seed(0)  # same weights and shuffling on every run
rng = np.random.default_rng(0)
x = rng.normal(size=(300, 4)).astype("float32")
y = (x[:, 0] + 0.5 * rng.normal(size=300) > 0).astype("int64")  # noisy labels: it will overfit

model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(2, activation="softmax"),
    ]
)
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")


class PrintEvery(keras.callbacks.Callback):
    """Your own callback: Keras calls its on_* methods during fit()."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch % 10 == 0:
            print(f"epoch {epoch}: val_loss {logs['val_loss']:.3f}")


with tempfile.TemporaryDirectory() as tmp:
    best_path = os.path.join(tmp, "best.keras")
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True),
        keras.callbacks.ModelCheckpoint(best_path, monitor="val_loss", save_best_only=True),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2),
        PrintEvery(),
    ]
    history = model.fit(x, y, epochs=200, batch_size=64, validation_split=0.25, callbacks=callbacks, verbose=0)
    print("checkpoint saved:", os.path.exists(best_path))

val_losses = history.history["val_loss"]
print(f"stopped after {len(val_losses)} of 200 epochs; best val_loss {min(val_losses):.3f}")
