# Data-parallel custom training with tf.distribute.MirroredStrategy: each device
# runs the step on its slice of the batch and the updates are summed across them.
# With no GPU it runs as a single CPU replica; the code is the same on many GPUs.
import numpy as np
import tensorflow as tf

strategy = tf.distribute.MirroredStrategy()
n = strategy.num_replicas_in_sync
print("replicas in sync:", n)
GLOBAL_BATCH, LEARNING_RATE = 32 * n, 0.1

with strategy.scope():  # variables made here are mirrored on every replica
    # SUM: the updates made on each replica are added together
    w = tf.Variable(tf.zeros([4, 2]), aggregation=tf.VariableAggregation.SUM)
    b = tf.Variable(tf.zeros([2]), aggregation=tf.VariableAggregation.SUM)


def step(x, y):  # runs on every replica with its share of the global batch
    with tf.GradientTape() as tape:
        per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(y, x @ w + b)
        loss = tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
    for var, grad in zip([w, b], tape.gradient(loss, [w, b])):
        var.assign_sub(LEARNING_RATE * grad)
    return loss


@tf.function
def distributed_step(x, y):
    per_replica_loss = strategy.run(step, args=(x, y))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica_loss, axis=None)


rng = np.random.default_rng(0)
x = rng.normal(size=(256, 4)).astype("float32")
y = (x[:, 0] > 0).astype("int64")
dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH)
for epoch in range(3):
    for batch_x, batch_y in strategy.experimental_distribute_dataset(dataset):
        loss = distributed_step(batch_x, batch_y)
    print(f"epoch {epoch}  loss {float(loss):.3f}")
