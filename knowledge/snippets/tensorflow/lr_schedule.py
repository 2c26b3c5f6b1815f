# A learning-rate schedule in a hand-written TensorFlow loop: the rate is a
# function of the step (linear warm-up, then cosine decay) applied at each update.
import math

import numpy as np
import tensorflow as tf


def learning_rate(step, peak=0.5, warmup=10, total=100):
    if step < warmup:
        return peak * step / warmup
    progress = (step - warmup) / (total - warmup)
    return peak * 0.5 * (1 + math.cos(math.pi * progress))


tf.random.set_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")
w = tf.Variable(tf.random.normal([4, 2], stddev=0.5))
b = tf.Variable(tf.zeros([2]))

for step in range(100):
    lr = learning_rate(step)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=x @ w + b))
    for var, grad in zip([w, b], tape.gradient(loss, [w, b])):
        var.assign_sub(lr * grad)
    if step % 20 == 0 or step == 99:
        print(f"step {step:2d}: learning rate {lr:.4f}, loss {float(loss):.3f}")
