# Evaluate a JAX model on held-out data: a jitted function of the parameters
# returns the mean loss and the accuracy. No gradient is asked for, so none is
# computed, and there is no eval mode to switch to: the model is a pure function.
import jax
import jax.numpy as jnp


def apply(params, x):
    return jax.nn.relu(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]


def loss_fn(params, x, y):
    log_probs = jax.nn.log_softmax(apply(params, x))
    return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=1))


@jax.jit
def sgd_step(params, x, y):
    grads = jax.grad(loss_fn)(params, x, y)
    return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads)


@jax.jit
def evaluate(params, x, y):
    accuracy = jnp.mean(jnp.argmax(apply(params, x), axis=1) == y)
    return loss_fn(params, x, y), accuracy


data_key, key_1, key_2 = jax.random.split(jax.random.key(0), 3)
x = jax.random.normal(data_key, (400, 4))
y = (x[:, 0] + x[:, 1] > 0).astype(jnp.int32)
x_train, y_train, x_test, y_test = x[:300], y[:300], x[300:], y[300:]
params = {"w1": jax.random.normal(key_1, (4, 16)) * 0.5, "b1": jnp.zeros(16),
          "w2": jax.random.normal(key_2, (16, 2)) * 0.5, "b2": jnp.zeros(2)}
for _ in range(200):  # quick full-batch training so there is something to evaluate
    params = sgd_step(params, x_train, y_train)

test_loss, accuracy = evaluate(params, x_test, y_test)
print(f"test loss: {float(test_loss):.3f}  test accuracy: {float(accuracy):.3f}")
assert accuracy > 0.8
