# Mixed precision by hand in TensorFlow: keep the variables in float32, compute
# the layers in bfloat16 (16-bit, float32's range), and the loss in float32.
# Keras does all this for you with keras.mixed_precision.set_dtype_policy.
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")
w1 = tf.Variable(tf.random.normal([4, 16], stddev=0.5))  # float32 "master" weights
w2 = tf.Variable(tf.random.normal([16, 2], stddev=0.5))
half = tf.bfloat16  # on NVIDIA GPUs float16 is faster, but needs loss scaling


def forward(x):
    hidden = tf.nn.relu(tf.cast(x, half) @ tf.cast(w1, half))  # computed in bfloat16
    logits = hidden @ tf.cast(w2, half)
    return tf.cast(logits, tf.float32)  # back to float32 for a stable loss


for step in range(100):
    with tf.GradientTape() as tape:
        logits = forward(x)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    grads = tape.gradient(loss, [w1, w2])  # float32, like the variables
    for var, grad in zip([w1, w2], grads):
        var.assign_sub(0.5 * grad)

hidden = tf.nn.relu(tf.cast(x, half) @ tf.cast(w1, half))
print("activations:", hidden.dtype.name, "| weights:", w1.dtype.name, "| gradients:", grads[0].dtype.name)
print("final loss:", round(float(loss), 3))
