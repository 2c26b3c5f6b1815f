# Convert a TensorFlow function to ONNX with tf2onnx and run it with ONNX Runtime.
import numpy as np
import onnxruntime as ort
import tensorflow as tf
import tf2onnx

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal([4, 3]))
b = tf.Variable(tf.zeros([3]))


@tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="features")])
def predict(x):
    return tf.nn.softmax(x @ w + b)


onnx_model, _ = tf2onnx.convert.from_function(predict, input_signature=predict.input_signature)
print("ONNX inputs:", [i.name for i in onnx_model.graph.input], "opset:", onnx_model.opset_import[0].version)

session = ort.InferenceSession(onnx_model.SerializeToString(), providers=["CPUExecutionProvider"])
x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
(outputs,) = session.run(None, {"features": x})
print("ONNX Runtime gives the same output:", np.allclose(outputs, predict(x).numpy(), atol=1e-6))
