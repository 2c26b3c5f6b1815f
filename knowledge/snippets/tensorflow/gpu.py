# Run TensorFlow ops on a GPU when one is present, otherwise on the CPU.
# TensorFlow picks the GPU by itself; tf.device pins the placement explicitly.
import tensorflow as tf

gpus = tf.config.list_physical_devices("GPU")
device = "/GPU:0" if gpus else "/CPU:0"
print("GPUs found:", len(gpus), "-> using", device)

with tf.device(device):
    w = tf.Variable(tf.random.normal([4, 2], seed=0))
    x = tf.random.normal([8, 4], seed=1)
    y = x @ w  # runs on the chosen device

print("variable on:", w.device)
print("result on:", y.device, "shape:", y.shape)
