# Export a tf.Module as a SavedModel with a serving signature, then reload it
# as TF Serving or another TensorFlow runtime would, without the Python class.
import os
import tempfile

import tensorflow as tf


class Classifier(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.random.normal([4, 3], seed=0))
        self.b = tf.Variable(tf.zeros([3]))

    # The signature fixes dtype and feature size; None lets the batch size vary.
    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def predict(self, x):
        return {"probabilities": tf.nn.softmax(x @ self.w + self.b)}


model = Classifier()
x = tf.random.normal([5, 4], seed=1)

with tempfile.TemporaryDirectory() as tmp:
    export_dir = os.path.join(tmp, "classifier", "1")  # TF Serving wants a version dir
    signatures = {"serving_default": model.predict}
    tf.saved_model.save(model, export_dir, signatures=signatures)
    serve = tf.saved_model.load(export_dir).signatures["serving_default"]
    result = serve(x=x)["probabilities"]

print("signature inputs:", list(serve.structured_input_signature[1]))
diff = tf.reduce_max(tf.abs(result - model.predict(x)["probabilities"]))
print("same output after reload:", bool(diff < 1e-6))
