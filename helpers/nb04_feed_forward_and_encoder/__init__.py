"""The code of notebooks/04_feed_forward_and_encoder.ipynb, beside the shared core and toolkits.

Modules: experiment (what depth does at initialisation), figures, explorer, exercises.
Importing this package imports none of them: a notebook imports what it uses.
"""
