# Data-parallel training with MirroredStrategy: one model replica per device.
# With no GPU it runs on a single CPU replica; the same code scales to many GPUs.
# backends: tensorflow -- MirroredStrategy is TensorFlow's; on JAX use keras.distribution.DataParallel, on PyTorch DDP
import keras
import numpy as np
import tensorflow as tf

strategy = tf.distribute.MirroredStrategy()
print("replicas in sync:", strategy.num_replicas_in_sync)

keras.utils.set_random_seed(0)  # same weights and shuffling on every run
with strategy.scope():  # variables created here are mirrored on every device
    model = keras.Sequential(
        [
            keras.Input(shape=(4,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] > 0).astype("int64")
global_batch = 32 * strategy.num_replicas_in_sync  # each replica gets 32 examples
history = model.fit(x, y, epochs=2, batch_size=global_batch, verbose=0)
print("final loss:", round(history.history["loss"][-1], 3))
