# Data-parallel training in plain JAX: the parameters are replicated on every
# device, each device holds its own slice of the batch, and jit compiles one
# program that computes the gradients on each slice and averages them.
# The XLA flag splits the CPU into two devices so the sharding is real here;
# with GPUs or TPUs, leave it out and the mesh spans jax.devices().
import os

os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=2")

import jax
import jax.numpy as jnp
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

mesh = Mesh(jax.devices(), axis_names=("data",))
replicated = NamedSharding(mesh, P())  # a full copy on every device
split = NamedSharding(mesh, P("data"))  # the first axis shared out among devices

key_w, key_x = jax.random.split(jax.random.key(0))
params = {"w": jax.random.normal(key_w, (4, 2)) * 0.5, "b": jnp.zeros(2)}
params = jax.device_put(params, replicated)
x = jax.random.normal(key_x, (64, 4))
y = (x[:, 0] > 0).astype(jnp.int32)
x, y = jax.device_put(x, split), jax.device_put(y, split)


def loss_fn(params, x, y):
    log_probs = jax.nn.log_softmax(x @ params["w"] + params["b"])
    return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=1))


@jax.jit
def train_step(params, x, y):
    # the mean runs over the whole batch: XLA adds the cross-device reduction
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads), loss


for step in range(20):
    params, loss = train_step(params, x, y)

print("devices:", len(jax.devices()), " rows per device:", [s.data.shape[0] for s in x.addressable_shards])
print("loss after 20 steps:", round(float(loss), 3))
assert params["w"].sharding.is_fully_replicated
