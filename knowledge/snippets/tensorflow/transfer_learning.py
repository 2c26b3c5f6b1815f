# Transfer learning with low-level TensorFlow: reuse a trained base module,
# freeze it by leaving its variables out of the update, and train a new head.
# (Keras models from keras.applications bring pretrained weights; see Keras.)
import numpy as np
import tensorflow as tf


class Dense(tf.Module):
    def __init__(self, n_in, n_out, relu=True):
        super().__init__()
        self.w = tf.Variable(tf.random.normal([n_in, n_out], stddev=n_in**-0.5))
        self.b = tf.Variable(tf.zeros([n_out]))
        self.relu = relu

    def __call__(self, x):
        y = x @ self.w + self.b
        return tf.nn.relu(y) if self.relu else y


def train(layers, variables, x, y, steps, learning_rate=0.1):
    """Full-batch gradient descent on `variables` only: the others stay frozen."""
    for _ in range(steps):
        with tf.GradientTape() as tape:
            logits = x
            for layer in layers:
                logits = layer(logits)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        for var, grad in zip(variables, tape.gradient(loss, variables)):
            var.assign_sub(learning_rate * grad)
    return float(loss)


tf.random.set_seed(0)
rng = np.random.default_rng(0)
base = [Dense(8, 32), Dense(32, 16)]  # the part to reuse

# 1. "Pretrain" the base with a first head on a first task.
x_old = rng.normal(size=(512, 8)).astype("float32")
y_old = (x_old[:, 0] + x_old[:, 1] > 0).astype("int64")
old_head = Dense(16, 2, relu=False)
everything = [v for layer in [*base, old_head] for v in layer.trainable_variables]
print("first task, loss:", round(train([*base, old_head], everything, x_old, y_old, steps=100), 3))

# 2. New task: a new head; only its variables are trained, the base is frozen.
x_new = rng.normal(size=(256, 8)).astype("float32")
y_new = np.digitize(x_new[:, 0] + x_new[:, 1], [-0.7, 0.7])  # 3 classes
new_head = Dense(16, 3, relu=False)
before = [v.numpy() for layer in base for v in layer.trainable_variables]
loss = train([*base, new_head], list(new_head.trainable_variables), x_new, y_new, steps=200)
print("new task, loss:", round(loss, 3))
after = [v.numpy() for layer in base for v in layer.trainable_variables]
print("base unchanged:", all(np.array_equal(a, b) for a, b in zip(before, after)))
