"""The code of notebooks/03_positional_encoding.ipynb, beside the shared core and toolkits.

Modules: data (the printed base and the notes' table), figures, explorer, exercises.
Importing this package imports none of them: a notebook imports what it uses.
"""
