# Define a small model in plain JAX: the parameters are a pytree (nested dicts
# of arrays) and the model is a pure function apply(params, x), with no state.
import jax
import jax.numpy as jnp


def dense(key, n_in, n_out):
    w = jax.random.normal(key, (n_in, n_out)) * jnp.sqrt(2 / n_in)  # He initialisation
    return {"w": w, "b": jnp.zeros(n_out)}


def init_params(key, n_in=4, n_hidden=16, n_out=3):
    key_hidden, key_out = jax.random.split(key)  # a fresh key for every random draw
    return {"hidden": dense(key_hidden, n_in, n_hidden), "out": dense(key_out, n_hidden, n_out)}


def apply(params, x):
    hidden = jax.nn.relu(x @ params["hidden"]["w"] + params["hidden"]["b"])
    return hidden @ params["out"]["w"] + params["out"]["b"]  # logits


params = init_params(jax.random.key(0))
print("shapes:", jax.tree.map(lambda leaf: leaf.shape, params))
logits = apply(params, jnp.ones((2, 4)))
n_params = sum(leaf.size for leaf in jax.tree.leaves(params))
print("output shape:", logits.shape)
print("parameters:", n_params)
assert logits.shape == (2, 3) and n_params == (4 * 16 + 16) + (16 * 3 + 3)
