# Convert a TensorFlow function to LiteRT (formerly TensorFlow Lite) and run it
# with the LiteRT interpreter, as a phone or microcontroller would.
import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter


class Classifier(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.random.normal([4, 3], seed=0))
        self.b = tf.Variable(tf.zeros([3]))

    @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
    def predict(self, x):
        return tf.nn.softmax(x @ self.w + self.b)


model = Classifier()
converter = tf.lite.TFLiteConverter.from_concrete_functions([model.predict.get_concrete_function()], model)
tflite_bytes = converter.convert()  # a flatbuffer, ready to ship
print("LiteRT model:", len(tflite_bytes), "bytes")

interpreter = Interpreter(model_content=tflite_bytes)
interpreter.allocate_tensors()
x = np.random.default_rng(0).normal(size=(1, 4)).astype("float32")
interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x)
interpreter.invoke()
outputs = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
print("LiteRT gives the same output:", np.allclose(outputs, model.predict(x).numpy(), atol=1e-5))
