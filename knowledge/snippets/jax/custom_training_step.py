# One training step in plain JAX, spelled out. jax.value_and_grad returns the
# loss, anything else the loss function reports (has_aux=True), and gradients
# shaped like the parameters; the update is yours to write: here clipping by
# global norm, then Adam by hand. jax.jit compiles the whole step.
import jax
import jax.numpy as jnp


def loss_fn(params, x, y):
    logits = jax.nn.relu(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]
    loss = -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))
    return loss, jnp.mean(jnp.argmax(logits, axis=1) == y)  # (loss, aux)


@jax.jit
def train_step(params, state, x, y, lr=0.05, b1=0.9, b2=0.999):
    (loss, accuracy), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, x, y)
    norm = jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree.leaves(grads)))
    grads = jax.tree.map(lambda g: g * jnp.minimum(1.0, 1.0 / (norm + 1e-6)), grads)  # max norm 1
    t = state["t"] + 1
    m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, state["m"], grads)  # mean of gradients
    v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g**2, state["v"], grads)  # mean of squares

    def adam(p, m, v):  # with the moments' bias corrected for the first steps
        return p - lr * (m / (1 - b1**t)) / (jnp.sqrt(v / (1 - b2**t)) + 1e-8)

    return jax.tree.map(adam, params, m, v), {"t": t, "m": m, "v": v}, loss, accuracy


data_key, key_1, key_2 = jax.random.split(jax.random.key(0), 3)
params = {"w1": jax.random.normal(key_1, (4, 16)) * 0.5, "b1": jnp.zeros(16),
          "w2": jax.random.normal(key_2, (16, 2)) * 0.5, "b2": jnp.zeros(2)}
zeros = jax.tree.map(jnp.zeros_like, params)
state = {"t": jnp.array(0), "m": zeros, "v": zeros}  # the optimizer state is a pytree too
x = jax.random.normal(data_key, (32, 4))
y = (x[:, 0] > 0).astype(jnp.int32)

losses = []
for step in range(5):
    params, state, loss, accuracy = train_step(params, state, x, y)
    losses.append(float(loss))
    print(f"step {step}  loss {losses[-1]:.3f}  accuracy {float(accuracy):.2f}")
assert losses[-1] < losses[0] and int(state["t"]) == 5
