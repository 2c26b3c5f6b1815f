# Define a small model with TensorFlow's low-level API: tf.Modules holding
# tf.Variables. A tf.Module finds every variable it owns, to train or save them.
import tensorflow as tf


class Dense(tf.Module):
    def __init__(self, n_in, n_out, name=None):
        super().__init__(name=name)
        with self.name_scope:  # variable names get the module's name as a prefix
            self.w = tf.Variable(tf.random.normal([n_in, n_out], stddev=0.5), name="w")
            self.b = tf.Variable(tf.zeros([n_out]), name="b")

    def __call__(self, x):
        return x @ self.w + self.b


class MLP(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.hidden = Dense(4, 16, name="hidden")
        self.out = Dense(16, 3, name="out")

    def __call__(self, x):
        return self.out(tf.nn.relu(self.hidden(x)))  # logits for 3 classes


tf.random.set_seed(0)
model = MLP(name="mlp")
logits = model(tf.random.normal([2, 4]))
print("output shape:", logits.shape)
for var in model.trainable_variables:  # found by walking the module tree
    print(" ", var.name, var.shape)
