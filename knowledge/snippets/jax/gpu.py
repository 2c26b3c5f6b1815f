# Run JAX on a GPU (or TPU) when it finds one, otherwise on the CPU. JAX already
# places new arrays on its default device, the first accelerator if any; to say
# so explicitly, pick a device once and move the parameters and data there with
# jax.device_put. jitted code then runs where its inputs are.
import jax
import jax.numpy as jnp

accelerators = [d for d in jax.devices() if d.platform != "cpu"]  # GPUs or TPUs, if any
device = accelerators[0] if accelerators else jax.devices("cpu")[0]
print("devices:", jax.devices(), " using:", device)

key_w, key_x = jax.random.split(jax.random.key(0))
params = jax.device_put({"w": jax.random.normal(key_w, (4, 2)) * 0.5, "b": jnp.zeros(2)}, device)
x = jax.device_put(jax.random.normal(key_x, (64, 4)), device)  # data on the same device
y = jax.device_put((x[:, 0] > 0).astype(jnp.int32), device)


def loss_fn(params, x, y):
    log_probs = jax.nn.log_softmax(x @ params["w"] + params["b"])
    return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=1))


@jax.jit
def train_step(params, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads), loss


params, loss = train_step(params, x, y)
print("parameters on:", params["w"].devices())
print("loss:", round(float(loss), 3))  # float() copies the value back to the host
assert params["w"].devices() == {device}
