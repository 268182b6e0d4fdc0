// The forecasting library: features, scaler, LSTM, training, registry, Keras import.
