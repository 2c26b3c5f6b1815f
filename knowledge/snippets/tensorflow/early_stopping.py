# Early stopping in a hand-written TensorFlow loop: watch the validation loss,
# keep the best weights, stop after `patience` epochs without improvement.
import numpy as np
import tensorflow as tf


class MLP(tf.Module):
    def __init__(self):
        super().__init__()
        self.w1 = tf.Variable(tf.random.normal([4, 64], stddev=0.5))
        self.b1 = tf.Variable(tf.zeros([64]))
        self.w2 = tf.Variable(tf.random.normal([64, 2], stddev=0.5))
        self.b2 = tf.Variable(tf.zeros([2]))

    def __call__(self, x):
        return tf.nn.relu(x @ self.w1 + self.b1) @ self.w2 + self.b2


def loss_of(model, x, y):
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=model(x)))


tf.random.set_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(300, 4)).astype("float32")
y = (x[:, 0] + 0.5 * rng.normal(size=300) > 0).astype("int64")  # noisy labels: it will overfit
x_train, y_train, x_val, y_val = x[:225], y[:225], x[225:], y[225:]

model = MLP()
learning_rate, patience = 0.2, 5
best_loss, best_weights, waited = float("inf"), None, 0
for epoch in range(200):
    with tf.GradientTape() as tape:
        loss = loss_of(model, x_train, y_train)
    for var, grad in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
        var.assign_sub(learning_rate * grad)
    val_loss = float(loss_of(model, x_val, y_val))
    if val_loss < best_loss - 1e-4:  # improved: remember these weights
        best_loss, best_weights, waited = val_loss, [v.numpy() for v in model.trainable_variables], 0
    else:
        waited += 1
        if waited == patience:
            break

for var, value in zip(model.trainable_variables, best_weights):  # restore the best weights
    var.assign(value)
print(f"stopped after {epoch + 1} of 200 epochs; best val_loss {best_loss:.3f}")
print("restored val_loss:", round(float(loss_of(model, x_val, y_val)), 3))
