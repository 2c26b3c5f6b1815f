# A tiny convolutional network built from tf.nn ops and tf.Variables,
# trained for one step on synthetic 16x16 greyscale images.
import tensorflow as tf


class SmallCNN(tf.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        # conv kernels: [height, width, in_channels, out_channels]
        self.k1 = tf.Variable(tf.random.normal([3, 3, 1, 8], stddev=0.3))
        self.k2 = tf.Variable(tf.random.normal([3, 3, 8, 16], stddev=0.3))
        self.w = tf.Variable(tf.random.normal([16, n_classes], stddev=0.3))
        self.b = tf.Variable(tf.zeros([n_classes]))

    def __call__(self, images):  # images: [batch, height, width, channels]
        h = tf.nn.relu(tf.nn.conv2d(images, self.k1, strides=1, padding="SAME"))
        h = tf.nn.max_pool2d(h, ksize=2, strides=2, padding="VALID")  # 16x16 -> 8x8
        h = tf.nn.relu(tf.nn.conv2d(h, self.k2, strides=1, padding="SAME"))
        h = tf.reduce_mean(h, axis=[1, 2])  # global average pooling
        return h @ self.w + self.b


tf.random.set_seed(0)
images = tf.random.uniform([32, 16, 16, 1])
labels = tf.random.uniform([32], maxval=3, dtype=tf.int64)
model = SmallCNN()


def loss_fn():
    logits = model(images)
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    )


with tf.GradientTape() as tape:
    loss = loss_fn()
grads = tape.gradient(loss, model.trainable_variables)
for var, grad in zip(model.trainable_variables, grads):
    var.assign_sub(0.1 * grad)
print(f"loss before the step: {loss:.3f}  after: {loss_fn():.3f}")
