"""The code of notebooks/07_train_a_tiny_transformer.ipynb, beside the shared core and toolkits.

Modules: reversal (the task's data), reverser (its config, training run and shipped checkpoint
reversal.pt; the recipe is the core's `helpers.training`), figures, explorer, exercises.
Importing this package imports none of them: a notebook imports what it uses.
"""
