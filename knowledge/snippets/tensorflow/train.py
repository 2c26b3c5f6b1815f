# Train a tf.Module by hand: compute the loss under tf.GradientTape, get the
# gradients and update each tf.Variable with plain gradient descent.
import numpy as np
import tensorflow as tf


class MLP(tf.Module):
    def __init__(self, n_in=4, n_hidden=16, n_out=2):
        super().__init__()
        self.w1 = tf.Variable(tf.random.normal([n_in, n_hidden], stddev=0.5))
        self.b1 = tf.Variable(tf.zeros([n_hidden]))
        self.w2 = tf.Variable(tf.random.normal([n_hidden, n_out], stddev=0.5))
        self.b2 = tf.Variable(tf.zeros([n_out]))

    def __call__(self, x):
        return tf.nn.relu(x @ self.w1 + self.b1) @ self.w2 + self.b2  # logits


tf.random.set_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")  # two classes

model = MLP()
learning_rate = 0.1
for step in range(50):  # full-batch gradient descent
    with tf.GradientTape() as tape:
        logits = model(x)
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits)
        )
    grads = tape.gradient(loss, model.trainable_variables)
    for var, grad in zip(model.trainable_variables, grads):
        var.assign_sub(learning_rate * grad)
    if step % 10 == 0:
        print(f"step {step:2d}  loss {loss.numpy():.3f}")
print("final loss:", round(float(loss), 3))
