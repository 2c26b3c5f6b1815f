# Evaluate a low-level TensorFlow model on held-out data: mean loss and accuracy.
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


def loss_fn(logits, labels):
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    )


tf.random.set_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(400, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")
x_train, y_train, x_test, y_test = x[:300], y[:300], x[300:], y[300:]

model = MLP()
for _ in range(100):  # quick training so there is something to evaluate
    with tf.GradientTape() as tape:
        loss = loss_fn(model(x_train), y_train)
    grads = tape.gradient(loss, model.trainable_variables)
    for var, grad in zip(model.trainable_variables, grads):
        var.assign_sub(0.1 * grad)

logits = model(x_test)  # no tape needed: we only read the model
test_loss = loss_fn(logits, y_test)
accuracy = tf.reduce_mean(tf.cast(tf.argmax(logits, axis=1) == y_test, tf.float32))
print(f"test loss: {test_loss:.3f}  test accuracy: {accuracy:.3f}")
