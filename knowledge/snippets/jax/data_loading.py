# Load data for JAX: JAX has no data loader of its own, so keep the data in
# NumPy arrays on the host and cut shuffled mini-batches with a PRNG key; a
# jitted function takes NumPy batches as they are and copies them to the device.
# (For data sets that do not fit in memory, tf.data or torch's DataLoader can
# feed JAX the same way.)
import jax
import jax.numpy as jnp
import numpy as np

rng = np.random.default_rng(0)
features = rng.normal(size=(100, 4)).astype(np.float32)
labels = (features.sum(axis=1) > 0).astype(np.int32)


def batches(key, x, y, batch_size=32):
    """One epoch of shuffled (x, y) mini-batches; the last one may be smaller."""
    order = np.asarray(jax.random.permutation(key, len(x)))
    for start in range(0, len(x), batch_size):
        index = order[start : start + batch_size]
        yield x[index], y[index]


@jax.jit
def batch_sum(x):  # stands in for a training step
    return jnp.sum(x, axis=0)


key = jax.random.key(0)
for epoch in range(2):
    key, epoch_key = jax.random.split(key)  # a new key, so a new order, every epoch
    sizes, total = [], jnp.zeros(4)
    for x, y in batches(epoch_key, features, labels):
        if not sizes:
            print(f"epoch {epoch}: first labels {y[:8]}")
        sizes.append(len(x))
        total += batch_sum(x)
    print(f"epoch {epoch}: batch sizes {sizes}")
    assert sum(sizes) == len(features) and np.allclose(total, features.sum(axis=0), atol=1e-4)
print("every example seen once per epoch")
