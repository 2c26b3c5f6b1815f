# Log scalars for TensorBoard with tf.summary while training a single variable.
# View them with: tensorboard --logdir <log_dir>
import os
import tempfile

import tensorflow as tf

w = tf.Variable(5.0)  # minimise (w - 2)^2
with tempfile.TemporaryDirectory() as log_dir:
    writer = tf.summary.create_file_writer(os.path.join(log_dir, "train"))
    with writer.as_default():
        for step in range(20):
            with tf.GradientTape() as tape:
                loss = (w - 2.0) ** 2
            w.assign_sub(0.1 * tape.gradient(loss, w))
            tf.summary.scalar("loss", loss, step=step)
            tf.summary.scalar("w", w, step=step)
    writer.close()
    print("event files:", os.listdir(os.path.join(log_dir, "train")))
print("final w:", round(float(w), 3))
