# Save a tf.Module's variables with tf.train.Checkpoint and restore them into a
# fresh instance; the restored model gives the same predictions.
import os
import tempfile

import tensorflow as tf


class MLP(tf.Module):
    def __init__(self, n_in=4, n_hidden=16, n_out=3):
        super().__init__()
        self.w1 = tf.Variable(tf.random.normal([n_in, n_hidden], stddev=0.5))
        self.b1 = tf.Variable(tf.zeros([n_hidden]))
        self.w2 = tf.Variable(tf.random.normal([n_hidden, n_out], stddev=0.5))
        self.b2 = tf.Variable(tf.zeros([n_out]))

    def __call__(self, x):
        return tf.nn.relu(x @ self.w1 + self.b1) @ self.w2 + self.b2


tf.random.set_seed(0)
x = tf.random.normal([8, 4])
model = MLP()

with tempfile.TemporaryDirectory() as tmp:
    path = tf.train.Checkpoint(model=model).save(os.path.join(tmp, "ckpt"))
    restored = MLP()  # new random weights...
    tf.train.Checkpoint(model=restored).restore(path)  # ...replaced by the saved ones

same = bool(tf.reduce_all(tf.abs(model(x) - restored(x)) < 1e-6))
print("restored model gives the same predictions:", same)
