"""Builds, trains and saves small Keras LSTM models, the fixtures of TradeMesh's Keras-import parity test.

usage: KERAS_BACKEND=jax python scripts/keras/make_fixture.py [OUT_DIR]   (default Tests/Fixtures/keras)
Needs: pip install keras jax numpy   (written with Keras 3.15, JAX 0.10, CPU)

Models: Sequential (lstm1, lstm2), functional (functional, functional_dropout) and Sequential with an InputLayer
and Dropout (sequential_dropout). Writes, per model: NAME.keras (Keras's own archive) and NAME.json with the input windows and Keras's outputs
for them (float32 values written as exact decimal floats). Seeded: rerunning gives the same models.
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/keras"
TSTEPS, FEATURES = 8, 3



def functional():
    """The Keras functional API: Input -> LSTM -> Dense, built with keras.Model(inputs, outputs)."""
    inputs = keras.Input(shape=(TSTEPS, FEATURES))
    x = keras.layers.LSTM(6, name="encoder")(inputs)
    outputs = keras.layers.Dense(1, name="head")(x)
    return keras.Model(inputs, outputs)


def functional_dropout():
    """Functional, two stacked LSTMs with Dropout between them and before the head (inactive at inference)."""
    inputs = keras.Input(shape=(TSTEPS, FEATURES))
    x = keras.layers.LSTM(5, return_sequences=True)(inputs)
    x = keras.layers.Dropout(0.2)(x)
    x = keras.layers.LSTM(4)(x)
    x = keras.layers.Dropout(0.1)(x)
    return keras.Model(inputs, keras.layers.Dense(1)(x))


def sequential_input_layer():
    """Sequential with an explicit InputLayer and Dropout layers."""
    return keras.Sequential([
        keras.layers.InputLayer(shape=(TSTEPS, FEATURES)),
        keras.layers.LSTM(6, return_sequences=True),
        keras.layers.Dropout(0.3),
        keras.layers.LSTM(3),
        keras.layers.Dense(1),
    ])


MODELS = {
    "lstm1": lambda: keras.Sequential([keras.Input((TSTEPS, FEATURES)), keras.layers.LSTM(6), keras.layers.Dense(1)]),
    "lstm2": lambda: keras.Sequential([
        keras.Input((TSTEPS, FEATURES)),
        keras.layers.LSTM(5, return_sequences=True),
        keras.layers.LSTM(4),
        keras.layers.Dense(1),
    ]),
    "functional": functional,
    "functional_dropout": functional_dropout,
    "sequential_dropout": sequential_input_layer,
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, build in MODELS.items():
        keras.utils.set_random_seed(1234)
        rng = np.random.default_rng(99)
        x = rng.normal(size=(256, TSTEPS, FEATURES)).astype("float32")
        y = (0.3 * x[:, -1, 0] - 0.2 * x[:, -2, 1] + 0.05 * rng.normal(size=256)).astype("float32")
        model = build()
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        model.fit(x, y, epochs=3, batch_size=32, verbose=0)   # move the weights away from their initial values
        windows = rng.normal(size=(16, TSTEPS, FEATURES)).astype("float32")
        outputs = model.predict_on_batch(windows).reshape(-1)
        model.save(os.path.join(OUT, name + ".keras"))
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"keras": keras.__version__, "tsteps": TSTEPS, "features": FEATURES,
                       "windows": [[[float(v) for v in step] for step in w] for w in windows],
                       "outputs": [float(v) for v in outputs]}, f, indent=1)
        print(name, "saved;", len(outputs), "outputs")


if __name__ == "__main__":
    main()
