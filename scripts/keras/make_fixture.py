"""Builds, trains and saves small Keras LSTM models, the fixtures of TradeMesh's Keras-import parity test.

usage: KERAS_BACKEND=jax python scripts/keras/make_fixture.py [OUT_DIR]   (default Tests/Fixtures/keras)
Needs: pip install keras jax numpy   (written with Keras 3.15, JAX 0.10, CPU)

Writes, per model: NAME.keras (Keras's own archive) and NAME.json with the input windows and Keras's outputs
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

MODELS = {
    "lstm1": lambda: keras.Sequential([keras.Input((TSTEPS, FEATURES)), keras.layers.LSTM(6), keras.layers.Dense(1)]),
    "lstm2": lambda: keras.Sequential([
        keras.Input((TSTEPS, FEATURES)),
        keras.layers.LSTM(5, return_sequences=True),
        keras.layers.LSTM(4),
        keras.layers.Dense(1),
    ]),
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
