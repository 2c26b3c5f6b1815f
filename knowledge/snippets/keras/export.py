# Export a Keras model for deployment: a TensorFlow SavedModel and a TFLite file.
import os
import tempfile

import numpy as np
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ]
)
x = np.random.default_rng(0).normal(size=(1, 4)).astype("float32")

# SavedModel: for TF Serving and other TensorFlow runtimes
with tempfile.TemporaryDirectory() as tmp:
    export_dir = os.path.join(tmp, "saved_model")
    tf.saved_model.save(model, export_dir)
    serve = tf.saved_model.load(export_dir).signatures["serving_default"]
    outputs = serve(tf.constant(x))  # a dict {output name: tensor}
    served = list(outputs.values())[0].numpy()

# TFLite: a compact flatbuffer for mobile and edge devices
tflite_bytes = tf.lite.TFLiteConverter.from_keras_model(model).convert()
interpreter = tf.lite.Interpreter(model_content=tflite_bytes)
interpreter.allocate_tensors()
interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
interpreter.invoke()
lite = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])

expected = model(x).numpy()
print("SavedModel matches:", np.allclose(expected, served, atol=1e-6))
print("TFLite matches:", np.allclose(expected, lite, atol=1e-5))
