# Export a Keras model as a TensorFlow SavedModel (for TF Serving and other
# TensorFlow runtimes) and reload it without Keras or the model's code.
# backends: tensorflow, jax -- on PyTorch, Keras exports SavedModels through torch_xla (not installed here)
import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ]
)
x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
expected = model.predict(x, verbose=0)

with tempfile.TemporaryDirectory() as tmp:
    export_dir = os.path.join(tmp, "classifier", "1")  # TF Serving wants a version dir
    model.export(export_dir, format="tf_saved_model", verbose=False)
    reloaded = tf.saved_model.load(export_dir)
    served = reloaded.serve(tf.constant(x)).numpy()  # the endpoint export() adds

print("SavedModel gives the same predictions:", np.allclose(expected, served, atol=1e-5))
