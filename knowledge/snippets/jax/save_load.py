# Save a JAX model's parameters with NumPy: flatten the pytree into named arrays
# (np.savez), then load them into the same structure. The loaded parameters are
# equal, so the predictions are too.
import os
import tempfile

import jax
import jax.numpy as jnp
import numpy as np
from jax.tree_util import keystr


def init_params(key):
    key_1, key_2 = jax.random.split(key)
    return {"hidden": {"w": jax.random.normal(key_1, (4, 16)), "b": jnp.zeros(16)},
            "out": {"w": jax.random.normal(key_2, (16, 3)), "b": jnp.zeros(3)}}


def apply(params, x):
    hidden = jax.nn.relu(x @ params["hidden"]["w"] + params["hidden"]["b"])
    return hidden @ params["out"]["w"] + params["out"]["b"]


params = init_params(jax.random.key(0))
x = jax.random.normal(jax.random.key(1), (8, 4))

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "params.npz")
    named = {keystr(where): np.asarray(leaf) for where, leaf in jax.tree.leaves_with_path(params)}
    np.savez(path, **named)  # names like "['hidden']['w']"
    template = init_params(jax.random.key(42))  # same structure, other random values
    with np.load(path) as saved:
        print("saved arrays:", sorted(saved.files))
        restored = jax.tree.map_with_path(lambda where, _: jnp.asarray(saved[keystr(where)]), template)

same_params = jax.tree.all(jax.tree.map(jnp.array_equal, params, restored))
same_predictions = bool(jnp.array_equal(apply(params, x), apply(restored, x)))
print("loaded parameters are equal:", same_params)
print("loaded model gives the same predictions:", same_predictions)
assert same_params and same_predictions
