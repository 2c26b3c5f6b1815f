# Build an input pipeline with tf.data: slice arrays into examples, transform,
# shuffle, batch and prefetch, then iterate over it like any Python iterable.
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
features = rng.normal(size=(100, 4)).astype("float32")
labels = rng.integers(0, 2, size=100)
mean, std = features.mean(axis=0), features.std(axis=0)


def standardize(x, y):  # applied to each example
    return (x - mean) / std, y


dataset = (
    tf.data.Dataset.from_tensor_slices((features, labels))  # one element per row
    .map(standardize, num_parallel_calls=tf.data.AUTOTUNE)
    .shuffle(buffer_size=100, seed=0)  # reshuffled every epoch
    .batch(32)
    .prefetch(tf.data.AUTOTUNE)  # overlap data preparation with training
)

for epoch in range(2):
    sizes = [int(x.shape[0]) for x, y in dataset]
    print(f"epoch {epoch}: batch sizes {sizes}")
x, y = next(iter(dataset))
print("first batch:", x.shape, x.dtype.name, y.shape, y.dtype.name)
