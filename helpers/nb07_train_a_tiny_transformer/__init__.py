"""The code of notebooks/07_train_a_tiny_transformer.ipynb, beside the shared core and toolkits.

Modules: reversal (the task's data), training (the recipe, the loop, the shipped checkpoint
reversal.pt), figures, explorer, exercises.
Importing this package imports none of them: a notebook imports what it uses.
"""
