"""Keras (JAX backend, CPU) on the ForecastBench shapes: one training epoch, predict_on_batch of one window, and
model.predict of all windows. Prints one JSON line. Needs: pip install keras jax."""
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

windows, tsteps, features, units = (int(a) for a in (sys.argv[1:5] if len(sys.argv) > 4 else (20000, 24, 8, 64)))
rng = np.random.default_rng(1)
x = rng.normal(size=(windows, tsteps, features)).astype("float32")
y = (0.01 * x[:, -1, -1]).astype("float32")
keras.utils.set_random_seed(3)
model = keras.Sequential([keras.Input((tsteps, features)), keras.layers.LSTM(units), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.001), loss="mse")
model.fit(x[:640], y[:640], epochs=1, batch_size=64, verbose=0)          # compile outside the timing
t = time.perf_counter()
model.fit(x, y, epochs=1, batch_size=64, verbose=0)
epoch = time.perf_counter() - t
one = x[:1]
model.predict_on_batch(one)
times = []
for i in range(500):
    s = time.perf_counter()
    model.predict_on_batch(x[i:i + 1])
    times.append(time.perf_counter() - s)
times.sort()
model.predict(x[:256], verbose=0)
t = time.perf_counter()
model.predict(x, batch_size=256, verbose=0)
rate = windows / (time.perf_counter() - t)
print(json.dumps({"bench": "keras_jax_lstm", "keras": keras.__version__, "epoch_s": epoch,
                  "single_window_us_p50": times[len(times) // 2] * 1e6, "batch_windows_per_s": int(rate)}))
