# Compile with jax.jit: JAX traces the Python function once per input shape and
# dtype, and XLA compiles the whole computation into fused kernels. The first
# call pays for the compilation; later calls reuse it. Without jit, JAX runs the
# operations one by one. Both give the same result (up to float rounding).
import time

import jax
import jax.numpy as jnp


def loss_fn(params, x, y):
    logits = jax.nn.relu(x @ params["w1"]) @ params["w2"]
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))


def train_step(params, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads), loss


key_x, key_1, key_2 = jax.random.split(jax.random.key(0), 3)
x = jax.random.normal(key_x, (1024, 16))
y = (x[:, 0] + x[:, 1] > 0).astype(jnp.int32)
start = {"w1": jax.random.normal(key_1, (16, 64)) * 0.3,
         "w2": jax.random.normal(key_2, (64, 2)) * 0.3}

results = {}
for name, step in [("eager", train_step), ("jax.jit", jax.jit(train_step))]:
    params = start
    started = time.perf_counter()
    params, loss = step(params, x, y)  # with jit, the first call traces and compiles
    loss.block_until_ready()  # JAX runs asynchronously: wait before reading the clock
    first = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(100):
        params, loss = step(params, x, y)
    loss.block_until_ready()
    later = time.perf_counter() - started
    print(f"{name}: first call {first:.3f} s, next 100 steps {later:.3f} s, loss {float(loss):.4f}")
    results[name] = params

same = jax.tree.all(jax.tree.map(lambda a, b: jnp.allclose(a, b, atol=1e-4), *results.values()))
print("same parameters with and without jit:", same)
assert same
