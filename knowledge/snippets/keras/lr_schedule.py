# Change the learning rate during training: give the optimizer a schedule
# (here warm-up then cosine decay), which it evaluates at every step.
import keras
import numpy as np

keras.utils.set_random_seed(0)  # same weights and shuffling on every run
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")

epochs, steps_per_epoch = 10, 256 // 32
schedule = keras.optimizers.schedules.CosineDecay(
    initial_learning_rate=0.0,
    warmup_target=0.01,  # rise linearly to 0.01 ...
    warmup_steps=steps_per_epoch,  # ... during the first epoch
    decay_steps=(epochs - 1) * steps_per_epoch,  # then decay to 0 along a cosine
)
for step in (0, 4, 8, 40, 80):
    print(f"step {step:2d}: learning rate {float(schedule(step)):.5f}")

model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(2, activation="softmax"),
    ]
)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule), loss="sparse_categorical_crossentropy")
history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
print("final loss:", round(history.history["loss"][-1], 3))
# Per epoch instead: callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.9)]
