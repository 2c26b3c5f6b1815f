# A training loop in plain JAX: the loss is a function of the parameters,
# jax.value_and_grad returns its value and gradients, and a jitted step applies
# SGD to every array of the parameter pytree with jax.tree.map.
import jax
import jax.numpy as jnp


def dense(key, n_in, n_out):
    return {"w": jax.random.normal(key, (n_in, n_out)) * jnp.sqrt(2 / n_in), "b": jnp.zeros(n_out)}


def apply(params, x):
    return jax.nn.relu(x @ params[0]["w"] + params[0]["b"]) @ params[1]["w"] + params[1]["b"]


def loss_fn(params, x, y):  # mean cross-entropy of integer labels
    log_probs = jax.nn.log_softmax(apply(params, x))
    return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=1))


@jax.jit
def train_step(params, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    params = jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)  # SGD, learning rate 0.1
    return params, loss


key, data_key, key_1, key_2 = jax.random.split(jax.random.key(0), 4)
x = jax.random.normal(data_key, (256, 4))
y = (x[:, 0] + x[:, 1] > 0).astype(jnp.int32)  # two classes
params = [dense(key_1, 4, 16), dense(key_2, 16, 2)]

losses = []
for epoch in range(5):
    key, shuffle_key = jax.random.split(key)
    order = jax.random.permutation(shuffle_key, len(x))  # a new order every epoch
    total = 0.0
    for start in range(0, len(x), 32):
        batch = order[start : start + 32]
        params, loss = train_step(params, x[batch], y[batch])
        total += float(loss) * len(batch)
    losses.append(total / len(x))
    print(f"epoch {epoch}  loss {losses[-1]:.3f}")
assert losses[-1] < losses[0]
