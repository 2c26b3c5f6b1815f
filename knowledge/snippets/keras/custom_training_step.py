# Customise what fit() does by subclassing keras.Model and overriding train_step.
# You keep fit()'s conveniences (batching, callbacks, progress) with your own step.
# backends: tensorflow -- train_step takes gradients with each backend's own API (jax.grad, torch autograd)
import keras
import numpy as np
import tensorflow as tf


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)  # the loss given to compile()
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        for metric in self.metrics:  # what fit() reports: the loss, then those given to compile()
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {metric.name: metric.result() for metric in self.metrics}


keras.utils.set_random_seed(0)  # same weights and shuffling on every run
inputs = keras.Input(shape=(4,))
hidden = keras.layers.Dense(16, activation="relu")(inputs)
outputs = keras.layers.Dense(2, activation="softmax")(hidden)
model = CustomModel(inputs, outputs)
model.compile(
    optimizer="adam",
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)

rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")
history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
print({name: round(float(values[-1]), 3) for name, values in history.history.items()})
