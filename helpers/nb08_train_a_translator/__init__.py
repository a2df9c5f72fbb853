"""Notebook 08, train a translator: an English → Korean grammar, its corpus, the training script,
the shipped checkpoint, `translate` and the evaluation. Taught in 08_train_a_translator.ipynb."""
