# Compile a TensorFlow training step: @tf.function traces it into a graph, and
# jit_compile=True also has XLA fuse its operations into a few kernels.
import time

import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
rng = np.random.default_rng(0)
x = tf.constant(rng.normal(size=(1024, 16)).astype("float32"))
y = tf.constant((rng.normal(size=1024) > 0).astype("int64"))
w1 = tf.Variable(tf.random.normal([16, 64], stddev=0.3))
w2 = tf.Variable(tf.random.normal([64, 2], stddev=0.3))


def train_step(x, y):
    with tf.GradientTape() as tape:
        logits = tf.nn.relu(x @ w1) @ w2
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    for var, grad in zip([w1, w2], tape.gradient(loss, [w1, w2])):
        var.assign_sub(0.1 * grad)
    return loss


compiled_step = tf.function(train_step, jit_compile=True)
for name, step in [("eager", train_step), ("tf.function + XLA", compiled_step)]:
    step(x, y)  # the first call traces and compiles
    started = time.perf_counter()
    for _ in range(100):
        loss = step(x, y)
    print(f"{name}: 100 steps in {time.perf_counter() - started:.2f} s, loss {float(loss):.3f}")
