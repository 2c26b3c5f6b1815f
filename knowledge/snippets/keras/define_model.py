# Define a small classifier with the Keras Sequential API and inspect it.
# Layers are stacked in order; summary() lists their output shapes and parameters.
import keras

model = keras.Sequential(
    [
        keras.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ]
)
model.summary()
print("parameters:", model.count_params())
