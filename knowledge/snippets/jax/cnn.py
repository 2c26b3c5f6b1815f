# A small convolutional network in plain JAX, trained for one epoch on tiny
# synthetic images: jax.lax.conv_general_dilated for the convolutions,
# jax.lax.reduce_window for max pooling, a mean for global average pooling.
import jax
import jax.numpy as jnp
import numpy as np

LAYOUT = ("NHWC", "HWIO", "NHWC")  # images, kernels, outputs: channels last


def conv(x, kernel):
    return jax.lax.conv_general_dilated(x, kernel, (1, 1), "SAME", dimension_numbers=LAYOUT)


def apply(params, images):
    x = jax.nn.relu(conv(images, params["conv1"]))  # 16x16x1 -> 16x16x8
    x = jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")  # 8x8
    x = jax.nn.relu(conv(x, params["conv2"]))  # -> 8x8x16
    return jnp.mean(x, axis=(1, 2)) @ params["dense"]  # global average pooling -> 16 -> 3 logits


def loss_fn(params, images, labels):
    log_probs = jax.nn.log_softmax(apply(params, images))
    return -jnp.mean(jnp.take_along_axis(log_probs, labels[:, None], axis=1))


@jax.jit
def train_step(params, images, labels):
    loss, grads = jax.value_and_grad(loss_fn)(params, images, labels)
    return jax.tree.map(lambda p, g: p - 0.05 * g, params, grads), loss


rng = np.random.default_rng(0)  # synthetic data and initial weights from NumPy (jax.random works too)
images = rng.uniform(size=(64, 16, 16, 1)).astype(np.float32)  # 64 greyscale 16x16 images: N, H, W, C
labels = rng.integers(0, 3, size=64)  # 3 classes
params = {"conv1": rng.normal(0, 0.3, (3, 3, 1, 8)),  # kernel height, width, in and out channels
          "conv2": rng.normal(0, 0.15, (3, 3, 8, 16)),
          "dense": rng.normal(0, 0.25, (16, 3))}
params = jax.tree.map(lambda w: jnp.asarray(w, jnp.float32), params)

for start in range(0, 64, 16):  # one epoch of 4 batches
    params, loss = train_step(params, images[start : start + 16], labels[start : start + 16])
logits = jax.jit(apply)(params, images[:2])
print("logits shape:", logits.shape)
print("last batch loss:", round(float(loss), 3))
assert logits.shape == (2, 3) and jnp.isfinite(loss)
