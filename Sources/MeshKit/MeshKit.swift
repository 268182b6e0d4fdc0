// The bus library.
